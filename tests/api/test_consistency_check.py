"""`macd check`: the graph's invariants run as Cypher, every violation printed with its ids."""

from __future__ import annotations

import subprocess
import sys

from graph.consistency import CHECKS, check_graph
from graph.driver import Graph
from service.settings import PROJECT_ROOT
from tests.api.lifecycle_steps import load_demo_data, write

BAD_GRAPH = """
CREATE (spec:ProductSpecification {id: 'cs-parent', version: '1'})
CREATE (child:ProductSpecification {id: 'cs-child', version: '1'})
CREATE (spec)-[:BUNDLES {min: 1, max: 1}]->(child)
CREATE (a:Account {id: 'cs-acc'})
CREATE (o1:CustomerOrder {id: 'cs-o1', state: 'DRAFT'}), (o2:CustomerOrder {id: 'cs-o2', state: 'SUBMITTED'})
CREATE (done:CustomerOrder {id: 'cs-done', state: 'COMPLETED'})
CREATE (twice:ProductInventory {id: 'cs-twice', state: 'ACTIVE', openOrderId: 'cs-o1'})
CREATE (o1)-[:HAS_LINE]->(:OrderLine {id: 'cs-l1', state: 'DRAFT'})-[:TARGETS]->(twice)
CREATE (o2)-[:HAS_LINE]->(:OrderLine {id: 'cs-l2', state: 'SUBMITTED'})-[:TARGETS]->(twice)
CREATE (:ProductInventory {id: 'cs-claimed', state: 'ACTIVE', openOrderId: 'cs-o1'})
CREATE (:ProductInventory {id: 'cs-pending', state: 'CHANGE_PENDING'})
CREATE (dead:ProductInventory {id: 'cs-dead', state: 'INACTIVE'})
CREATE (dead)-[:HAS_CHILD]->(:ProductInventory {id: 'cs-alive', state: 'ACTIVE'})
CREATE (bundle:ProductInventory {id: 'cs-bundle', state: 'ACTIVE'})-[:INSTANCE_OF]->(spec)
CREATE (a)-[:OWNS]->(bundle)
CREATE (a)-[:OWNS]->(two:ProductInventory {id: 'cs-two-parents', state: 'INACTIVE'})<-[:HAS_CHILD]-(dead)
CREATE (done)-[:HAS_LINE]->(:OrderLine {id: 'cs-stale-line', state: 'IN_PROGRESS'})
CREATE (done)-[:DECOMPOSED_INTO]->(d:DomainOrder {id: 'cs-do', state: 'CLOSED_COMPLETE'})
CREATE (d)-[:HAS_TASK]->(:OrderTask {id: 'cs-open-task', state: 'OPEN'})
CREATE (done)-[:HAS_WORK_ORDER]->(:WorkOrder {id: 'cs-open-visit', state: 'SCHEDULED'})
CREATE (:CustomerOrder {id: 'cs-held-draft', state: 'DRAFT', onHold: true})
CREATE (busy:CustomerOrder {id: 'cs-busy', state: 'IN_PROGRESS'})
CREATE (busy)-[:DECOMPOSED_INTO]->(bd:DomainOrder {id: 'cs-busy-do', state: 'IN_PROGRESS'})
CREATE (bd)-[:HAS_TASK]->(:OrderTask {id: 'cs-first-step', orderId: 'cs-busy', state: 'OPEN'})
CREATE (bd)-[:HAS_TASK]->(:OrderTask {id: 'cs-jumped', orderId: 'cs-busy', state: 'CLOSED_COMPLETE',
                                      dependsOn: ['cs-first-step']})
CREATE (bd)-[:HAS_TASK]->(:OrderTask {id: 'cs-silent-failure', orderId: 'cs-busy', state: 'FAILED'})
CREATE (:ProductInventory {id: 'cs-stray-follow-on', state: 'ACTIVE', followOnOrderId: 'cs-o2'})
"""

# A follow-on (R15) waiting behind a running order on the same item: both lines are allowed.
FOLLOW_ON_GRAPH = """
CREATE (first:CustomerOrder {id: 'cs-first', state: 'IN_PROGRESS'})
CREATE (next:CustomerOrder {id: 'cs-next', state: 'QUEUED', followsOrderId: 'cs-first'})
CREATE (p:ProductInventory {id: 'cs-shared', state: 'CHANGE_PENDING', openOrderId: 'cs-first',
                            followOnOrderId: 'cs-next'})
CREATE (first)-[:HAS_LINE]->(:OrderLine {id: 'cs-first-line', state: 'IN_PROGRESS'})-[:TARGETS]->(p)
CREATE (next)-[:HAS_LINE]->(:OrderLine {id: 'cs-next-line', state: 'QUEUED'})-[:TARGETS]->(p)
"""


def run_cli(graph: Graph, uri: str) -> subprocess.CompletedProcess[str]:
    env = {"NEO4J_URI": uri, "NEO4J_DATABASE": graph.database, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "check"], cwd=PROJECT_ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )


async def test_the_demo_and_its_orders_hold_every_invariant(clean_graph: Graph, neo4j_uri: str) -> None:
    await load_demo_data(clean_graph)
    report = await check_graph(clean_graph)
    assert report.ok, report.lines()
    assert report.checks == [c.name for c in CHECKS]
    done = run_cli(clean_graph, neo4j_uri)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "invariants hold" in done.stdout


async def test_every_broken_invariant_is_reported_with_its_ids(clean_graph: Graph, neo4j_uri: str) -> None:
    await write(clean_graph, BAD_GRAPH)
    report = await check_graph(clean_graph)
    found = {(v.check, v.ids) for v in report.violations}
    assert found >= {
        ("item-in-two-open-orders", ("cs-twice", "cs-o1", "cs-o2")),
        ("claim-without-open-line", ("cs-claimed", "cs-o1")),
        ("open-line-without-claim", ("cs-l2", "cs-twice", "cs-o2")),
        ("pending-without-open-order", ("cs-pending",)),
        ("live-under-inactive", ("cs-alive", "cs-dead")),
        ("cardinality", ("cs-bundle", "cs-child")),
        ("one-parent", ("cs-two-parents",)),
        ("line-state", ("cs-done", "cs-stale-line")),
        ("task-state", ("cs-done", "cs-do", "cs-open-task")),
        ("work-order-state", ("cs-done", "cs-open-visit")),
        ("hold-outside-progress", ("cs-held-draft",)),
        ("closed-before-dependencies", ("cs-jumped", "cs-first-step")),
        ("failed-task-out-of-fallout", ("cs-busy", "cs-silent-failure")),
        ("follow-on-claim", ("cs-stray-follow-on", "cs-o2")),
    }, report.lines()
    assert {v.check for v in report.violations} == {c.name for c in CHECKS}

    done = run_cli(clean_graph, neo4j_uri)
    assert done.returncode == 1
    assert "live-under-inactive" in done.stdout and "cs-alive, cs-dead" in done.stdout
    await write(clean_graph, "MATCH (n) DETACH DELETE n")  # leave the module's graph consistent


async def test_a_follow_on_waiting_on_an_item_of_its_first_order_is_no_double_claim(clean_graph: Graph) -> None:
    await write(clean_graph, FOLLOW_ON_GRAPH)
    assert (await check_graph(clean_graph)).ok
    await write(clean_graph, "MATCH (o:CustomerOrder {id: 'cs-next'}) REMOVE o.followsOrderId")
    found = {v.check for v in (await check_graph(clean_graph)).violations}
    assert found == {"follow-on-claim"}
    await write(clean_graph, "MATCH (n) DETACH DELETE n")  # leave the module's graph consistent

