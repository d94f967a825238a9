"""What a run looks like: the table, explain, sparklines, csv/tsv/json/jsonl, markdown,
latex, html, svg and plots; formats.py is the one dispatch of -f. No view reads a file.
"""
