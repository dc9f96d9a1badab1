"""Outcome indicators and their measurements: people's input, kept as plain files.

See `outcomes.store` for the file layout under `<data_dir>/outcomes/<team>/`.
"""
