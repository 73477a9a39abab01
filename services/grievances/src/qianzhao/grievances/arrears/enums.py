"""Vocabulary of the arrears ledger."""

from __future__ import annotations

from enum import Enum

import strawberry

V = strawberry.enum_value


@strawberry.enum(description="Kind of debtor owing an SME (欠款主体类型).")
class ArrearsDebtorType(Enum):
    GOVERNMENT_AGENCY = V("GOVERNMENT_AGENCY", description="Government agency (机关); statutory limit 30 days.")
    PUBLIC_INSTITUTION = V("PUBLIC_INSTITUTION", description="Public institution (事业单位); statutory limit 30 days.")
    STATE_OWNED_ENTERPRISE = V("STATE_OWNED_ENTERPRISE", description="State-owned enterprise (国有企业); 60 days.")
    LARGE_ENTERPRISE = V("LARGE_ENTERPRISE", description="Large enterprise (大型企业); statutory limit 60 days.")


STATUTORY_DAYS = {ArrearsDebtorType.GOVERNMENT_AGENCY: 30, ArrearsDebtorType.PUBLIC_INSTITUTION: 30,
                  ArrearsDebtorType.STATE_OWNED_ENTERPRISE: 60, ArrearsDebtorType.LARGE_ENTERPRISE: 60}


@strawberry.enum(description="A dimension to group arrears statistics by.")
class ArrearsStatsDimension(Enum):
    REGION = V("REGION", description="The claim's own region, as recorded.")
    PREFECTURE = V("PREFECTURE", description="The prefecture (市/州) the claim lies in, its counties rolled up.")
    COUNTY = V("COUNTY", description="The county (县区) the claim lies in; null above a county.")
    DEBTOR_TYPE = V("DEBTOR_TYPE", description="Kind of debtor.")
    CREDITOR_SIZE = V("CREDITOR_SIZE", description="Size class of the creditor SME.")
    DISPUTED = V("DISPUTED", description="Disputed (有分歧) or not (无分歧).")
