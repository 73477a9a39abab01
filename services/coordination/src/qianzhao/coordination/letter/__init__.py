"""Letters to provincial departments with working-day feedback deadlines (书面函送、限时反馈)."""
