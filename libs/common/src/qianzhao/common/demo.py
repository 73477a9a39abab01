"""Synthetic demonstration data (演示数据), loaded through the import path (`qianzhao demo load`, `make demo`).

Every record is flagged `demo` and spread plausibly over the 9 prefectures and 88 counties, so each console has
something to show. The data set is generated from a fixed seed so that the stats queries reproduce the figures of
the bureau's 2023 reply (`FIGURES`) for the matching periods; `tests/test_demo.py` checks each one through the
gateway. Nothing is written to a table directly: each kind goes through its import mutation with the caller's
token, as a clerk's file would.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import httpx
from stdnum.cn import uscc

from . import import_files, regions

SEED = 2023
YUAN_PER_YI = Decimal("100000000")  # 1 亿元

# The figures of the bureau's reply, and the periods they are read over (tests/test_demo.py checks each)
FIGURES = {
    "projects_since_2022": {"total": 7587, "INDUSTRY": 3407, "AGRICULTURE": 1282, "MODERN_SERVICES": 2496, "OTHER": 402,
                            "premium": 900, "chains": 32},  # compiled 2022-01-01 … 2023-12-31
    "introduced_2023": {"count": 2264, "contract_investment": Decimal("3510.5") * YUAN_PER_YI},  # signed in 2023
    "trips_2023": {"PREFECTURE": 53, "PREFECTURE_2022": 29, "PREFECTURE_CHANGE": Decimal("82.8"),
                   "COUNTY": 833, "COUNTY_2022": 704, "COUNTY_CHANGE": Decimal("18.3")},  # out of the province
    "direct_line": {"valid_private_calls_and_letters": 228, "SITUATION_REPORT": 215, "POLICY_CONSULTATION": 3},
    "arrears_2022": {"cleared": Decimal("13.78") * YUAN_PER_YI, "clearance_rate": Decimal("0.5205"),
                     "resolved": Decimal("29.39") * YUAN_PER_YI, "resolution_rate": Decimal("1.0000")},  # as of 12-31
    "coordination_2023": {"collected": 11, "resolved": 4, "in_progress": 7},  # province tier, raised in 2023
}
BOARDS = ["PREFECTURE", "LEAD_DEPARTMENT", "PARK", "INDUSTRIAL_TOWN", "TOURISM_STOCK", "RELOCATION_SITE"]
SUFFIXES = ["精深加工项目", "产业园建设项目", "生产基地项目", "扩能改造项目", "综合体项目", "示范园项目", "智能工厂项目"]
DESTINATIONS = ["深圳", "广州", "上海", "杭州", "北京", "成都", "重庆", "苏州", "厦门", "香港"]
MAJOR_PROJECTS = 20


@dataclass
class Places:
    prefectures: list[regions.Region]
    counties: list[regions.Region]

    @classmethod
    def of_guizhou(cls) -> Places:
        every = list(regions.all_regions().values())
        return cls([r for r in every if r.level is regions.RegionLevel.PREFECTURE],
                   [r for r in every if r.level is regions.RegionLevel.COUNTY])


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _split(rng: random.Random, total: Decimal, parts: int, spread: float = 0.8) -> list[Decimal]:
    """`parts` positive amounts in fen that add up to `total` exactly."""
    total = total.quantize(Decimal("0.01"))
    weights = [1 + spread * (rng.random() - 0.5) * 2 for _ in range(parts)]
    scale = total / Decimal(str(sum(weights)))
    amounts = [(Decimal(str(w)) * scale).quantize(Decimal("0.01")) for w in weights]
    amounts[-1] += total - sum(amounts)
    return amounts


def credit_code(rng: random.Random, region: str) -> str:
    body = "91" + region + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def projects(rng: random.Random, places: Places, chains: dict[str, list[tuple[str, str]]]) -> list[dict]:
    """7,587 projects compiled since 2022 by category; 900 premium; 2,264 signed in 2023 for 3,510.5 亿元."""
    wanted = FIGURES["projects_since_2022"]
    categories = [c for c in ("INDUSTRY", "AGRICULTURE", "MODERN_SERVICES", "OTHER") for _ in range(wanted[c])]
    rng.shuffle(categories)
    premium = set(rng.sample(range(len(categories)), wanted["premium"]))
    signed_2023 = rng.sample(range(len(categories)), FIGURES["introduced_2023"]["count"])
    contracts = dict(zip(signed_2023, _split(rng, FIGURES["introduced_2023"]["contract_investment"],
                                             len(signed_2023), 0.95), strict=True))
    signed_before = set(rng.sample(sorted(set(range(len(categories))) - set(signed_2023)), 900))
    major = set(signed_2023[:MAJOR_PROJECTS])
    used_chains = {c: 0 for cat in chains.values() for c, _ in cat}
    rows = []
    for i, category in enumerate(categories):
        code, chain_name = chains[category][i % len(chains[category])]
        used_chains[code] += 1
        region = rng.choice(places.counties) if rng.random() < 0.85 else rng.choice(places.prefectures)
        compiled = _day(rng, date(2022, 1, 1), date(2023, 6, 30))
        row = {"externalRef": f"DEMO-XM-{i + 1:05d}", "name": f"{region.name}{chain_name}{rng.choice(SUFFIXES)}",
               "regionCode": region.code, "chainCode": code, "board": rng.choice(BOARDS), "investmentMode": "SOLE",
               "compiledOn": compiled.isoformat(), "premium": i in premium, "demo": True,
               "summary": f"演示数据：{chain_name}领域招商项目"}
        listed = compiled + timedelta(days=rng.randrange(10, 90))
        if i in contracts:
            signed = _day(rng, max(listed, date(2023, 1, 1)), date(2023, 12, 31))
            row |= _signed(rng, contracts[i], signed, listed)
            if i in major:
                row |= {"responsibleLeader": "市委副书记", "workingTeam": ["投资促进局", "发展改革局"],
                        "implementingEntity": f"{chain_name}产业投资有限公司"}
        elif i in signed_before:
            amount = Decimal(rng.randrange(500, 30_000)) * 10_000
            signed = _day(rng, listed, date(2022, 12, 31)) if listed <= date(2022, 12, 31) else None
            if signed is not None:
                row |= _signed(rng, amount, signed, listed)
            else:
                row |= {"status": "NEGOTIATING", "listedOn": listed.isoformat()}
        else:
            status = rng.choices(["LISTED", "NEGOTIATING", "DRAFT", "SUBMITTED"], [70, 15, 10, 5])[0]
            row["status"] = status
            if status in ("LISTED", "NEGOTIATING"):
                row["listedOn"] = min(listed, date(2023, 12, 31)).isoformat()
        contract = Decimal(row.get("contractInvestment", "0"))
        total = max(contract * Decimal("1.2"), Decimal(rng.randrange(2_000, 500_000)) * 10_000)
        row["totalInvestment"] = str(total.quantize(Decimal("0.01")))
        rows.append(row)
    return rows


def _signed(rng: random.Random, amount: Decimal, signed: date, listed: date) -> dict:
    stage = rng.choices(["SIGNED", "UNDER_CONSTRUCTION", "IN_PRODUCTION"], [60, 30, 10])[0]
    row = {"status": stage, "listedOn": listed.isoformat(), "signedOn": signed.isoformat(),
           "investorName": f"演示投资{rng.randrange(1, 400):03d}有限公司", "contractInvestment": str(amount)}
    if stage != "SIGNED":
        started = signed + timedelta(days=rng.randrange(20, 120))
        row["constructionStartedOn"] = started.isoformat()
        if stage == "IN_PRODUCTION":
            row["productionStartedOn"] = (started + timedelta(days=rng.randrange(60, 300))).isoformat()
    return row


def trips(rng: random.Random, places: Places) -> list[dict]:
    """Out-of-province trips of the prefectures' and counties' party and government heads, 2022 and 2023, and some
    trips within the province."""
    want = FIGURES["trips_2023"]
    plan = [("PREFECTURE", 2023, want["PREFECTURE"], True), ("PREFECTURE", 2022, want["PREFECTURE_2022"], True),
            ("COUNTY", 2023, want["COUNTY"], True), ("COUNTY", 2022, want["COUNTY_2022"], True),
            ("COUNTY", 2023, 60, False), ("PREFECTURE", 2023, 12, False)]
    rows = []
    for level, year, count, outside in plan:
        pool = places.prefectures if level == "PREFECTURE" else places.counties
        for n in range(count):
            region = pool[n % len(pool)] if n < len(pool) else rng.choice(pool)
            start = _day(rng, date(year, 1, 5), date(year, 12, 20))
            title = rng.choice(["市委书记", "市长"] if level == "PREFECTURE" else ["县委书记", "县长", "区委书记", "区长"])
            rows.append({"externalRef": f"DEMO-WC-{year}-{level[0]}{'O' if outside else 'I'}-{n + 1:04d}",
                         "level": level, "regionCode": region.code, "leaderTitle": title,
                         "destination": rng.choice(DESTINATIONS) if outside else "贵阳",
                         "outsideProvince": outside, "startOn": start.isoformat(),
                         "endOn": (start + timedelta(days=rng.randrange(1, 5))).isoformat(),
                         "enterprisesMet": [f"演示企业{rng.randrange(1, 999):03d}"], "demo": True})
    return rows


def grievances(rng: random.Random, places: Places) -> list[dict]:
    """228 valid calls and letters from private enterprises (215 situation reports, 3 policy consultations), and
    cases that do not count: other ownerships, online filings, cases found invalid."""
    want = FIGURES["direct_line"]
    others = want["valid_private_calls_and_letters"] - want["SITUATION_REPORT"] - want["POLICY_CONSULTATION"]
    plan = ([("SITUATION_REPORT", "PRIVATE", "HOTLINE_CALL", "RESOLVED")] * want["SITUATION_REPORT"]
            + [("POLICY_CONSULTATION", "PRIVATE", "LETTER", "RESOLVED")] * want["POLICY_CONSULTATION"]
            + [("COMPLAINT", "PRIVATE", "HOTLINE_CALL", "ACCEPTED")] * (others // 2)
            + [("SUGGESTION", "PRIVATE", "LETTER", "RESOLVED")] * (others - others // 2)
            + [("SITUATION_REPORT", "STATE", "HOTLINE_CALL", "RESOLVED")] * 20
            + [("SITUATION_REPORT", "PRIVATE", "ONLINE", "RESOLVED")] * 30
            + [("OTHER", "PRIVATE", "HOTLINE_CALL", "REJECTED")] * 15)
    rows = []
    for n, (category, ownership, channel, status) in enumerate(plan):
        county = rng.choice(places.counties)
        received = _day(rng, date(2021, 3, 1), date(2023, 11, 30))
        row = {"externalRef": f"DEMO-ZTC-{n + 1:04d}", "channel": channel, "receivedOn": received.isoformat(),
               "enterpriseName": f"演示{county.name}企业{n + 1:03d}有限公司",
               "creditCode": credit_code(rng, county.code), "ownership": ownership,
               "size": rng.choice(["MICRO", "SMALL", "MEDIUM"]), "contactName": "演示联系人",
               "contactPhone": f"139{rng.randrange(10**7, 10**8)}", "regionCode": county.code, "category": category,
               "title": "企业反映情况（演示）", "description": "演示数据：企业通过省长直通车反映生产经营中遇到的问题。",
               "status": status, "demo": True}
        if status == "RESOLVED":
            row |= {"resolvedOn": (received + timedelta(days=rng.randrange(3, 25))).isoformat(),
                    "resolution": "已协调相关部门办结（演示）"}
        rows.append(row)
    return rows


VISITS_2023 = 300


def visits(rng: random.Random, places: Places) -> list[dict]:
    """Leaders' visits to enterprises in 2023 (走访企业), one enterprise each, over every county."""
    rows = []
    for n in range(VISITS_2023):
        county = places.counties[n % len(places.counties)]
        rows.append({"externalRef": f"DEMO-ZF-{n + 1:04d}", "visitedOn": _day(rng, date(2023, 1, 5),
                                                                                date(2023, 12, 20)).isoformat(),
                     "leaderName": "演示领导", "leaderTitle": rng.choice(["县委书记", "县长", "副县长"]),
                     "regionCode": county.code, "enterpriseName": f"演示{county.name}走访企业{n + 1:03d}",
                     "enterpriseCreditCode": credit_code(rng, county.code),
                     "policiesDelivered": ["稳增长政策", "减税降费"], "demo": True})
    return rows


def arrears(rng: random.Random, places: Places) -> tuple[list[dict], list[dict], list[dict]]:
    """2022's SME arrears: claims repaid in full (13.78 亿元), and claims under agreed plans (15.61 亿元) whose
    installments fall due partly in 2022 (12.695 亿元, unpaid by the year's end) and partly in 2023, so that at
    2022-12-31: cleared 13.78, due 26.475 (clearance 52.05 %), resolved 29.39 = undisputed (resolution 100 %)."""
    cleared = FIGURES["arrears_2022"]["cleared"]
    planned = FIGURES["arrears_2022"]["resolved"] - cleared
    due_2022 = Decimal("12.695") * YUAN_PER_YI
    claims, repayments, plans = [], [], []

    def claim(n: int, amount: Decimal) -> dict:
        county = rng.choice(places.counties)
        delivered = _day(rng, date(2022, 1, 10), date(2022, 6, 30))
        row = {"externalRef": f"DEMO-QK-{n:04d}", "creditorCreditCode": credit_code(rng, county.code),
               "creditorName": f"演示{county.name}中小企业{n:03d}", "creditorSize": rng.choice(["SMALL", "MEDIUM"]),
               "debtorName": f"{county.name}某政府部门（演示）", "debtorType": "GOVERNMENT_AGENCY",
               "regionCode": county.code, "amountClaimed": str(amount),
               "contractDate": (delivered - timedelta(days=90)).isoformat(), "deliveryDate": delivered.isoformat(),
               "demo": True}
        claims.append(row)
        return row

    for n, amount in enumerate(_split(rng, cleared, 40), start=1):
        c = claim(n, amount)
        paid = date.fromisoformat(c["deliveryDate"]) + timedelta(days=rng.randrange(40, 150))
        repayments.append({"externalRef": f"DEMO-QC-{n:04d}", "claimRef": c["externalRef"], "amount": str(amount),
                           "paidOn": min(paid, date(2022, 12, 20)).isoformat(), "demo": True})
    for n, (amount, due_year) in enumerate(
            [(a, 2022) for a in _split(rng, due_2022, 22)] + [(a, 2023) for a in _split(rng, planned - due_2022, 8)],
            start=41):
        c = claim(n, amount)
        agreed = date.fromisoformat(c["deliveryDate"]) + timedelta(days=rng.randrange(35, 90))
        due = _day(rng, max(agreed, date(2022, 9, 1)), date(2022, 12, 30)) if due_year == 2022 \
            else _day(rng, date(2023, 2, 1), date(2023, 10, 31))
        plans.append({"externalRef": f"DEMO-HJ-{n:04d}", "claimRef": c["externalRef"], "agreedOn": agreed.isoformat(),
                      "amount": str(amount), "dueOn": due.isoformat(), "demo": True})
    return claims, repayments, plans


def coordination_cases(rng: random.Random, major: list[dict]) -> list[dict]:
    """2023's province-tier problems (11: 4 solved, 7 in progress) and earlier ones at lower tiers."""
    want = FIGURES["coordination_2023"]
    rows = []
    stages = ["RESOLVED"] * want["resolved"] + ["IN_PROGRESS"] * want["in_progress"]
    categories = ["FACTOR_GUARANTEE", "PROCEDURES", "FINANCING", "CONSTRUCTION_INDICATORS", "POLICY"]
    for n, (project, stage) in enumerate(zip(major, stages, strict=False)):
        submitted = _day(rng, date(2023, 1, 10), date(2023, 9, 30))
        category = categories[n % len(categories)]
        row = {"externalRef": f"DEMO-XT-{n + 1:03d}", "projectNumber": project["number"],
               "regionCode": project["regionCode"], "title": "项目推进需省级协调（演示）",
               "description": "演示数据：项目推进中遇到需省级层面协调解决的问题。", "category": category,
               "factorSubtype": "LAND" if category == "FACTOR_GUARANTEE" else None, "tier": "PROVINCE",
               "submittedOn": submitted.isoformat(), "status": stage, "demo": True}
        if stage == "RESOLVED":
            row |= {"resolvedOn": (submitted + timedelta(days=rng.randrange(20, 60))).isoformat(),
                    "solution": "经省级联席会议协调解决（演示）"}
        rows.append({k: v for k, v in row.items() if v is not None})
    for n, project in enumerate(major[len(stages):], start=len(stages) + 1):
        rows.append({"externalRef": f"DEMO-XT-{n:03d}", "projectNumber": project["number"],
                     "regionCode": project["regionCode"], "title": "项目用工需协调（演示）",
                     "description": "演示数据：项目用工需属地协调。", "category": "FACTOR_GUARANTEE",
                     "factorSubtype": "LABOUR", "tier": "PREFECTURE", "submittedOn": "2022-11-15",
                     "status": "IN_PROGRESS", "demo": True})
    return rows


# --- the records that have no import kind: created through their mutations, once -----------------------------

SURVEY = """mutation($i: RecordFieldSurveyInput!) { recordFieldSurvey(input: $i) { survey { id } userErrors { message } } }"""
INTENTION = """mutation($i: FileInvestmentIntentionInput!) { fileInvestmentIntention(input: $i) {
  intention { id version } userErrors { message } } }"""
RESPOND = """mutation($i: RespondToInvestmentIntentionInput!) { respondToInvestmentIntention(input: $i) {
  userErrors { message } } }"""
TASK_LIST = """mutation($i: CreateTaskListInput!) { createTaskList(input: $i) { taskList { id version }
  userErrors { message } } }"""
TASK = """mutation($i: AddBusinessEnvironmentTaskInput!) { addBusinessEnvironmentTask(input: $i) {
  userErrors { message } } }"""
PUBLISH = """mutation($i: PublishTaskListInput!) { publishTaskList(input: $i) { userErrors { message } } }"""
DEMO_MARK = "演示"
TASKS = [("压缩企业开办时间至1个工作日", "market_regulation"), ("工程建设项目审批全流程网办", "housing_construction"),
         ("涉企收费目录清单公开", "development_reform"), ("政府采购合同款项按期支付", "finance"),
         ("中小企业融资担保扩面", "finance")]


def _mutate(client, url: str, token: str, query: str, data: dict, field: str) -> dict:
    result = _graphql(client, url, token, query, {"i": data})[field]
    if result.get("userErrors"):
        raise DemoError(f"{field}: {result['userErrors'][0]['message']}")
    return result


def targets(rng: random.Random, places: Places, chains: dict[str, list[tuple[str, str]]]) -> list[dict]:
    """40 enterprises courted by counties, at every willingness."""
    every_chain = [c for cs in chains.values() for c in cs]
    rows = []
    for n in range(40):
        county = places.counties[n * 2 % len(places.counties)]
        code, name = every_chain[n % len(every_chain)]
        rows.append({
            "externalRef": f"DEMO-MB-{n + 1:03d}", "name": f"演示{name}龙头企业{n + 1:02d}",
            "location": rng.choice(DESTINATIONS), "chainCode": code, "regionCode": county.code,
            "tier": "KEY" if n % 4 == 0 else "GENERAL",
            "willingness": ["AWARE", "INTERESTED", "NEGOTIATING", "COMMITTED"][n % 4],
            "contactName": "演示联系人", "contactTitle": "副总经理", "contactPhone": f"139{rng.randrange(10**7, 10**8)}",
            "lastContactOn": (date(2023, 1, 10) + timedelta(days=7 * n)).isoformat(),
            "nextStep": "安排主要领导拜访（演示）", "demo": True})
    return rows


def leads_and_supervision(client, url: str, token: str, rng: random.Random, places: Places,
                          chains: dict[str, list[tuple[str, str]]], report: Callable[[str], None]) -> None:
    """A 2022 field survey of all 88 counties, investment intentions (some answered) and a 2023 task list: created
    through their mutations (they have no import kind), and only when the demo has not created them before."""
    seen = _graphql(client, url, token, "query($s: String) { fieldSurveys(filter: {search: $s}) { totalCount } }",
                    {"s": DEMO_MARK})
    if seen["fieldSurveys"]["totalCount"]:
        report("surveys, intentions and task lists: 0 imported, 1 already there")
        return
    _mutate(client, url, token, SURVEY, {
        "title": "2022年招商项目实地调研（演示）", "agency": "演示第三方咨询机构", "regionCode": regions.PROVINCE_CODE,
        "counties": [c.code for c in places.counties], "startOn": "2022-03-01", "endOn": "2022-08-31",
        "symposiums": [{"heldOn": f"2022-{3 + n // 20:02d}-{1 + n % 20:02d}", "countyCode": c.code,
                        "participants": [{"unit": f"{c.name}投资促进局", "count": 3}]}
                       for n, c in enumerate(places.counties[:40])],
        "findings": [{"heading": h, "text": f"演示：{h}调研结论"} for h in
                     ("INDUSTRY_BASE", "DEVELOPMENT_PLAN", "SUPPORT_POLICY", "FACTOR_GUARANTEE",
                      "PROJECT_FEASIBILITY")]}, "recordFieldSurvey")
    every_chain = [c for cs in chains.values() for c in cs]
    for n in range(30):
        prefecture = places.prefectures[n % len(places.prefectures)]
        code, name = every_chain[n % len(every_chain)]
        filed = _mutate(client, url, token, INTENTION, {
            "enterpriseName": f"演示民营企业{n + 1:02d}有限公司", "chainCode": code,
            "amount": str(Decimal(rng.randrange(1_000, 50_000)) * 10_000), "prefectureCodes": [prefecture.code],
            "description": f"演示：拟在{prefecture.name}投资{name}项目", "needs": ["LAND", "FINANCE"],
            "creditCode": credit_code(rng, prefecture.code)}, "fileInvestmentIntention")["intention"]
        if n % 3:
            _mutate(client, url, token, RESPOND, {"id": filed["id"], "expectedVersion": filed["version"],
                                                  "leaderName": "演示市长", "leaderPost": "市长",
                                                  "resourcesMatched": "匹配园区用地和融资支持（演示）"},
                    "respondToInvestmentIntention")
    listed = _mutate(client, url, token, TASK_LIST, {"regionCode": regions.PROVINCE_CODE, "year": 2023,
                                                     "title": "2023年优化营商环境重点任务清单（演示）"},
                     "createTaskList")["taskList"]
    version = listed["version"]
    for title, department in TASKS:
        _mutate(client, url, token, TASK, {"id": listed["id"], "expectedVersion": version, "title": title,
                                           "unit": {"kind": "DEPARTMENT", "code": department},
                                           "deadline": (date.today() + timedelta(days=180)).isoformat(),
                                           "description": "演示任务"},
                "addBusinessEnvironmentTask")
        version += 1
    _mutate(client, url, token, PUBLISH, {"id": listed["id"], "expectedVersion": version}, "publishTaskList")
    report(f"surveys, intentions and task lists: {1 + 30 + 1} created")


# --- loading ----------------------------------------------------------------------------------------------------

class DemoError(Exception):
    pass


def _graphql(client: httpx.Client, url: str, token: str, query: str, variables: dict | None = None) -> dict:
    body = client.post(url, json={"query": query, "variables": variables or {}},
                       headers={"authorization": f"Bearer {token}"}).json()
    if body.get("errors"):
        raise DemoError(body["errors"][0]["message"])
    return body["data"]


def _send(client, url: str, token: str, kind: import_files.Kind, rows: list[dict],
          report: Callable[[str], None]) -> import_files.Outcome:
    sheet = import_files.Sheet(kind, rows, list(range(3, len(rows) + 3)), {}, [])
    outcome = import_files.send(sheet, url=url, token=token, dry_run=False, client=client)
    if outcome.problems:
        first = outcome.problems[0]
        raise DemoError(f"{kind.name}: {len(outcome.problems)} problems, first at row {first.row} {first.column}: "
                        f"{first.message}")
    report(f"{kind.name}: {outcome.imported} imported, {outcome.unchanged} already there")
    return outcome


def load(url: str, token: str, *, report: Callable[[str], None] = print, wait_seconds: float = 60) -> None:
    """Load the demonstration data set through the gateway at `url` (idempotent: loading again changes nothing)."""
    rng = random.Random(SEED)
    places = Places.of_guizhou()
    kinds = import_files.installed_kinds()
    with httpx.Client(timeout=600) as client:
        chains: dict[str, list[tuple[str, str]]] = {}
        for c in _graphql(client, url, token, "{ industryChains { code name category } }")["industryChains"]:
            chains.setdefault(c["category"], []).append((c["code"], c["name"]))
        project_rows = projects(rng, places, chains)
        _send(client, url, token, kinds["projects"], project_rows, report)
        _send(client, url, token, kinds["investment-trips"], trips(rng, places), report)
        _send(client, url, token, kinds["grievances"], grievances(rng, places), report)
        _send(client, url, token, kinds["enterprise-visits"], visits(rng, places), report)
        claims, repayments, plans = arrears(rng, places)
        for name, rows in (("arrears-claims", claims), ("arrears-repayments", repayments), ("arrears-plans", plans)):
            _send(client, url, token, kinds[name], rows, report)
        found = _graphql(client, url, token, """{ projects(filter: {major: true}, first: 200) {
            nodes { number regionCode externalRef } } }""")
        major = sorted((p for p in found["projects"]["nodes"] if (p["externalRef"] or "").startswith("DEMO-")),
                       key=lambda p: p["externalRef"])
        cases = coordination_cases(rng, major)
        deadline = time.monotonic() + wait_seconds  # coordination learns of the projects from their events
        kind = kinds["coordination-cases"]
        while True:
            sheet = import_files.Sheet(kind, cases, list(range(3, len(cases) + 3)), {}, [])
            check = import_files.send(sheet, url=url, token=token, dry_run=True, client=client)
            if not any("projectNumber" in p.column for p in check.problems) or time.monotonic() > deadline:
                break
            time.sleep(1)
        _send(client, url, token, kind, cases, report)
        leads_and_supervision(client, url, token, rng, places, chains, report)
        _send(client, url, token, kinds["target-enterprises"], targets(rng, places, chains), report)
