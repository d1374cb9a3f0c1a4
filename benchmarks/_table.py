"""Rows of dicts as an aligned text table or a markdown table."""


def render(rows, columns, markdown=False):
    """Lines of a table of ``rows`` by ``columns`` = [(header, key, format)]."""
    header = [name for name, _, _ in columns]
    cells = [
        [fmt.format(row[key]) if key in row else "-" for _, key, fmt in columns]
        for row in rows
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return lines + ["| " + " | ".join(r) + " |" for r in cells]
    widths = [max(len(x) for x in col) for col in zip(header, *cells, strict=True)]
    return [
        "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
        for r in [header, *cells]
    ]
