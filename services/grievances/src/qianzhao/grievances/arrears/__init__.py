"""The SME arrears ledger (拖欠中小企业账款): claims, repayments (清偿) and resolution plans (化解)."""
