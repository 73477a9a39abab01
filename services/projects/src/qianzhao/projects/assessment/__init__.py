"""Pre-signing assessment and admission pre-review (事前评估和准入预审)."""
