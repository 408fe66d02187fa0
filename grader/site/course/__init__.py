"""The course: its exercises (from the packs), deadlines, extensions, late and rate policies."""
