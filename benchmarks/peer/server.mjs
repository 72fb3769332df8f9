// The @neo4j/graphql server the benchmark compares the service with: the same Neo4j and data,
// type definitions following docs/graph-model.md. Started by `python -m benchmarks.compare`.
// Environment: NEO4J_URI (bolt://...), NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE, PORT.
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = /* GraphQL */ `
  type Account @node {
    id: ID!
    name: String!
    segment: String
    roots: [ProductInventory!]! @relationship(type: "OWNS", direction: OUT)
    locations: [Location!]! @relationship(type: "HAS_LOCATION", direction: OUT)
  }

  type Location @node {
    id: ID!
    name: String!
    address: String
    city: String
    country: String
  }

  type ProductSpecification @node {
    id: ID!
    name: String!
    version: String
    physical: Boolean
    description: String
    characteristics: String
  }

  type ProductInventory @node {
    id: ID!
    name: String!
    state: String!
    accountId: String!
    characteristics: String
    version: Int
    createdAt: DateTime
    children: [ProductInventory!]! @relationship(type: "HAS_CHILD", direction: OUT)
    parent: [ProductInventory!]! @relationship(type: "HAS_CHILD", direction: IN)
    specification: [ProductSpecification!]! @relationship(type: "INSTANCE_OF", direction: OUT)
    location: [Location!]! @relationship(type: "AT", direction: OUT)
  }
`;

const user = process.env.NEO4J_USER || "neo4j";
const password = process.env.NEO4J_PASSWORD || "";
const driver = neo4j.driver(
  process.env.NEO4J_URI || "bolt://127.0.0.1:7687",
  password ? neo4j.auth.basic(user, password) : undefined,
  { maxConnectionPoolSize: 50, disableLosslessIntegers: true },
);
const database = process.env.NEO4J_DATABASE || "neo4j";

const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const server = new ApolloServer({ schema: await neoSchema.getSchema() });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT || 4000), host: "127.0.0.1" },
  context: async () => ({ sessionConfig: { database } }),
});
console.log(`peer ready at ${url}`);

const stop = async () => {
  await server.stop();
  await driver.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
