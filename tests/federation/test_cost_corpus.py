"""The consoles' real operations fit the gateway's default limits, the cost estimate follows its documented
formula, and the classic nested federation benchmark query gets a code and a message that names the setting.

Formula (README, `common/limits.py`): every field costs 1 × the list sizes above it; a list field with
`first`/`last`/`limit` multiplies what is below it by that number, any other list by `DEFAULT_LIST_SIZE` (10).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate
from qianzhao.common.limits import LimitExceeded, Limits, check
from qianzhao.gateway.settings import GatewaySettings
from qianzhao.gateway.supergraph import Supergraph

ROOT = Path(__file__).resolve().parents[2]

PROJECT_ROW = """id number name status totalInvestment region { name parent { name } } leadDepartment { name }
  openBlockerCount allowedActions"""
CONSOLE = {
    "province dashboard": """{ projectStats(groupBy: [PREFECTURE]) { total { count totalInvestment }
        groups { key { prefecture { code name } } count totalInvestment contractInvestment } }
      grievanceStats(groupBy: [PREFECTURE]) { total { count responseRate } groups { key { prefecture { name } } count
        responseRate satisfactionRate } }
      coordinationStats(groupBy: [PREFECTURE]) { total { collected resolved } groups { key { prefecture { name } }
        collected resolved } } }""",
    "a page of 50 projects with their open cases and grievances": """{ projects(first: 50) { totalCount
        pageInfo { endCursor hasNextPage } nodes { $ROW coordinationCases(first: 5, openOnly: true) {
          totalCount nodes { number status tier } } grievances(first: 5) { totalCount nodes { number status } } } } }""".replace("$ROW", PROJECT_ROW),
    "project page": """query($id: ID!) { project(id: $id) { $ROW summary chain { name } reviews { decision comment }
        assessments { conclusion dimensions { dimension result department { name } } }
        fiveOnes { responsibleLeader workingTeam milestones { title dueOn doneOn } }
        history { action actor occurredAt comment } coordinationCases(first: 20) { nodes { number status tier
          leadDepartment { name } letters { number status deadline department { name } } } }
        grievances(first: 20) { nodes { number title status } } } }""".replace("$ROW", PROJECT_ROW),
    "catalogue for enterprises": """{ projects(first: 50, filter: { statuses: [LISTED], premium: true }) { totalCount nodes { number
        name summary totalInvestment region { name } chain { name } } } }""",
    "grievance inbox": """{ grievances(first: 50, filter: { overdueFlagged: true }) { totalCount nodes { number title
        status replyDue resolveDue allowedActions leadUnit { kind department { name } region { name } }
        project { name } } } }""",
    "grievance page": """query($id: ID!) { grievance(id: $id) { number title description status allowedActions
        contactName contactPhone assignments { unit { code department { name } } role state round }
        reminders { stage issuedAt } overdueFlags { stage } escalations { toTier reason } history { action occurredAt }
        project { name number } coordinationCase { number status } } }""",
    "grievance statistics": """{ grievanceStats(groupBy: [PREFECTURE, CATEGORY]) { total { count }
        groups { key { prefecture { name } category } count resolutionRate onTimeRate } } }""",
    "arrears ledger": """{ arrearsClaims(first: 50) { totalCount nodes { number creditorName debtorName
        amountClaimed outstandingAmount clearanceRate repayments { amount paidOn } } }
      arrearsStats(groupBy: [PREFECTURE]) { total { claimCount } groups { key { prefecture { name } } claimCount
        clearanceRate resolutionRate } } }""",
    "coordination list": """{ coordinationCases(first: 50) { totalCount nodes { number title status tier
        allowedActions leadDepartment { name } coDepartments { name } project { name number }
        letters { number status overdue } } } }""",
    "case page": """query($id: ID!) { coordinationCase(id: $id) { number title description status tier
        allowedActions region { name } project { name number region { name } } grievance { number title }
        letters { number department { name } status deadline reminders { sequence newDeadline } }
        agendaItems { state decision meeting { number meetingDate } } history { action occurredAt comment } } }""",
    "provincial list": """{ provincialCoordinationList { totalCount cases { number title category
        leadDepartment { name } } byCategory { category count } byDepartment { department { name } count } } }""",
    "coordination statistics": """{ coordinationStats(groupBy: [PREFECTURE, DEPARTMENT]) { total { collected }
        groups { key { prefecture { name } department { name } } collected resolved } } }""",
    "department's letters": """{ departmentLetters(first: 50, filter: { overdue: true }) { totalCount nodes {
        number content deadline overdueCount case { number title project { name } } } } }""",
    "joint meetings": """{ jointMeetings(first: 10) { nodes { number title meetingDate status
        agenda { state decision case { number title } } } } }""",
    "investment trips": """{ investmentTrips(first: 50) { totalCount nodes { level leaderTitle destination startOn
        endOn enterprisesMet } } investmentTripStats(startFrom: "2026-01-01", startTo: "2026-12-31",
        groupBy: [PREFECTURE]) { total { count } groups { key { prefecture { name } } count changePercent } } }""",
    "verification campaigns": """{ verificationCampaigns(first: 10) { nodes { number name status progress {
        total checked } checks(first: 50) { nodes { outcome project { number name } } } } } }""",
    "industry chains": "{ industryChains { code name category } }",
    "reference data": """{ regions(level: PREFECTURE) { code name } departments { code name shortName }
        me { role region { name } department { name } } }""",
    "consultation meetings and visits": """{ consultationMeetings(first: 20) { nodes { title heldOn decisions { decision grievance { number } } } }
        enterpriseVisits(first: 20) { nodes { visitedOn leaderName enterprises { name } needs { number title } } } }""",
    "county work queue": """{ projects(first: 50, filter: { statuses: [DRAFT, RETURNED] }) { nodes { $ROW } }
        grievances(first: 50, filter: { statuses: [ASSIGNED, IN_PROGRESS] }) { nodes { number status } }
        coordinationCases(first: 50, filter: { openOnly: true }) { nodes { number status allowedActions } } }""".replace("$ROW", PROJECT_ROW),
}

# the classic nested query of the federation gateway benchmarks, over the fixture subgraphs' schema
CLASSIC = """
fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User
    reviews { ...Review product { ...Product } } } } } } }
  topProducts { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
}"""


def _limits() -> Limits:
    s = GatewaySettings()
    return Limits(max_depth=s.max_depth, max_aliases=s.max_aliases, max_root_fields=s.max_root_fields,
                  max_tokens=s.max_tokens, max_cost=s.max_cost, default_list_size=s.default_list_size,
                  setting_prefix="QZ_GATEWAY_")


def _cost(schema, query: str, limits: Limits) -> int:
    document = parse(query)
    assert validate(schema, document) == [], query
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    [operation] = [d for d in document.definitions if d.kind == "operation_definition"]
    return check(schema, operation, fragments, {}, limits)


@pytest.fixture(scope="module")
def schema():
    return Supergraph((ROOT / "supergraph.graphql").read_text("utf-8")).schema


def test_the_console_corpus_fits_the_default_limits(schema):
    assert len(CONSOLE) >= 20
    costs = {name: _cost(schema, query, _limits()) for name, query in CONSOLE.items()}
    assert max(costs.values()) <= _limits().max_cost, costs


def test_the_cost_follows_the_documented_formula(schema):
    limits = _limits()
    # projects 1, then per item of the page of 50: nodes 1 + id 1 + region 1 + region.name 1 (nodes is the page)
    assert _cost(schema, "{ projects(first: 50) { nodes { id region { name } } } }", limits) == 1 + 50 * 4
    # a list without first/last/limit counts DEFAULT_LIST_SIZE (10) times what is below it
    assert _cost(schema, "{ departments { code name } }", limits) == 1 + 10 * 2


def test_the_classic_benchmark_query_gets_a_code_naming_the_setting(fixture_subgraphs):
    schema = Supergraph(fixture_subgraphs.supergraph).schema
    with pytest.raises(LimitExceeded) as refused:
        _cost(schema, CLASSIC, _limits())
    assert refused.value.code == "COST_LIMIT_EXCEEDED"
    assert "QZ_GATEWAY_MAX_COST" in refused.value.message
    raised = Limits(max_cost=10_000_000, max_depth=20, setting_prefix="QZ_GATEWAY_")
    assert _cost(schema, CLASSIC, raised) > 50_000  # with the setting raised it runs
