"""The demo data generator: build (orchestration and bulk load), cohort (exact shares), people, casework,
letters, reviews (the second pair of eyes), and their helpers (banks, draw, wording, state, progress)."""
