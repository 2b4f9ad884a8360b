"""Privacy by design: erasing a person (`erase`), ending someone's part in a
program (`leaving`), and the retention purge the scheduler runs
(`retention`). The register of what is stored and why is PRIVACY.md."""
