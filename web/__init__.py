"""The browser side: the offline GraphiQL page, the inventory explorer and their static assets."""
