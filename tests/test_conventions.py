"""The API's conventions (DESIGN §6) checked mechanically over the composed supergraph, so a new field that breaks
one fails here rather than in a frontend team's review.

`GAPS` lists what does not follow a convention yet, by name: the list may only shrink (a gap that is fixed must be
removed from it, and nothing new may be added without a reason in review).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType, get_named_type
from qianzhao.gateway.supergraph import Supergraph

ROOT = Path(__file__).resolve().parents[1]

# mutations that create a record (or run a job) rather than act on one: they take no `id`
CREATORS = {
    "createProject", "submitCoordinationCase", "fileGrievance", "registerArrearsClaim", "recordConsultationMeeting",
    "recordEnterpriseVisit", "scheduleJointMeeting", "openVerificationCampaign", "recordInvestmentTrip",
    "upsertIndustryChain", "detectStalledProjects", "runCoordinationDeadlineCheck", "recordFieldSurvey",
    "fileInvestmentIntention", "runIntentionDeadlineCheck", "createTaskList", "createTargetEnterprise",
    "setScorecardTargets",
}

# operator jobs: a mutation without input (what it does is fixed)
JOBS = {"runCoordinationDeadlineCheck", "runIntentionDeadlineCheck"}

# what does not follow the list and stats conventions yet (to be closed; never to grow)
GAPS = {
    "list without filter": set(),
    "list without orderBy": set(),
    "list filter without search": set(),
    "stats without total/groups": set(),
    "stats without PREFECTURE/COUNTY grouping": set(),
}


@pytest.fixture(scope="module")
def schema():
    return Supergraph((ROOT / "supergraph.graphql").read_text("utf-8")).schema


def _input_of(field) -> GraphQLInputObjectType | None:
    arg = field.args.get("input")
    return get_named_type(arg.type) if arg is not None else None


def test_every_mutation_names_its_target_id_and_takes_a_required_expected_version(schema):
    problems = []
    for name, field in schema.mutation_type.fields.items():
        inp = _input_of(field)
        fields = inp.fields if inp is not None else {}
        if name.startswith("import"):  # imports create records from the bureau's files (common.importing)
            if set(fields) != {"rows", "dryRun"} or str(fields["rows"].type).count("!") != 2 or \
                    get_named_type(field.type).name != "ImportPayload":
                problems.append(f"{name}: an import takes input {{rows: [<Row>!]!, dryRun}} and answers ImportPayload")
            elif "externalRef" not in get_named_type(fields["rows"].type).fields:
                problems.append(f"{name}: its rows carry externalRef")
            continue
        if name in CREATORS:
            if "id" in fields:
                problems.append(f"{name}: a creator takes no `id`")
            continue
        if "id" not in fields:
            problems.append(f"{name}: acts on a record but its input has no `id` (classify it in CREATORS if it "
                            "creates one)")
            continue
        if str(fields["id"].type) != "ID!":
            problems.append(f"{name}: `id` must be ID!")
        version = fields.get("expectedVersion")
        if version is None or str(version.type) != "Int!":
            problems.append(f"{name}: `expectedVersion` must be Int!")
    assert problems == []


def test_mutations_are_verb_noun_with_input_and_payload_with_user_errors(schema):
    problems = []
    for name, field in schema.mutation_type.fields.items():
        payload = get_named_type(field.type)
        if not isinstance(field.type, GraphQLNonNull) or "userErrors" not in payload.fields:
            problems.append(f"{name}: payload must be non-null with userErrors")
        inp = _input_of(field)
        if inp is None and name not in JOBS:
            problems.append(f"{name}: takes no input")
        if inp is not None and inp.name != name[0].upper() + name[1:] + "Input":
            problems.append(f"{name}: input type {inp.name}")
    assert problems == []


def test_no_type_name_leaks_an_implementation_suffix(schema):
    assert sorted(n for n in schema.type_map if n.endswith(("TypeConnection", "TypeEdge"))) == []


def test_lists_are_connections_with_paging_filter_and_order(schema):
    problems: dict[str, set[str]] = {"list without filter": set(), "list without orderBy": set(),
                                     "list filter without search": set()}
    for name, field in schema.query_type.fields.items():
        if not get_named_type(field.type).name.endswith("Connection"):
            continue
        assert {"first", "after"} <= set(field.args), f"{name} pages with first/after"
        if "filter" not in field.args:
            problems["list without filter"].add(name)
        if "orderBy" not in field.args:
            problems["list without orderBy"].add(name)
        else:
            order = get_named_type(field.args["orderBy"].type)
            assert {"field", "direction"} <= set(order.fields), f"{name}: orderBy is {{ field direction }}"
        if "filter" in field.args:
            filter_type = get_named_type(field.args["filter"].type)
            assert filter_type.name.endswith("Filter"), f"{name}: <Type>Filter"
            if "search" not in filter_type.fields:
                problems["list filter without search"].add(name)
    for key, found in problems.items():
        assert found <= GAPS[key], f"new {key}: {sorted(found - GAPS[key])}"
        assert found == GAPS[key], f"fixed, remove from GAPS[{key!r}]: {sorted(GAPS[key] - found)}"


def test_stats_queries_share_one_shape(schema):
    shape, grouping = set(), set()
    for name, field in schema.query_type.fields.items():
        if not name.endswith("Stats"):
            continue
        result = get_named_type(field.type)
        if not (isinstance(result, GraphQLObjectType) and {"total", "groups"} <= set(result.fields)):
            shape.add(name)
        else:
            key = get_named_type(get_named_type(result.fields["groups"].type).fields["key"].type)
            assert all(get_named_type(key.fields[k].type).name == "Region" for k in ("prefecture", "county")), name
        group_by = field.args.get("groupBy")
        values = set(get_named_type(group_by.type).values) if group_by is not None else set()
        if not {"PREFECTURE", "COUNTY"} <= values:
            grouping.add(name)
    assert shape == GAPS["stats without total/groups"]
    assert grouping == GAPS["stats without PREFECTURE/COUNTY grouping"]


def test_reference_data_is_served(schema):
    q = schema.query_type.fields
    assert {"regions", "departments", "me"} <= set(q)
    region = schema.get_type("Region")
    assert {"code", "name", "level", "parent"} <= set(region.fields)
    assert {"code", "name", "shortName"} <= set(schema.get_type("Department").fields)
