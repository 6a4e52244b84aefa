#!/usr/bin/env python3
"""Turns the CSV of `src/scripts/bench.sh --mode soak` into one SVG: memory, disk, rows, latency and
throughput over the run's minutes, one panel each.

    src/scripts/soak-plot.py target/soak-YYYYMMDD-HHMM.csv docs/soak-YYYY-MM-DD.svg [--title TEXT]

Uses matplotlib when it is installed; otherwise writes the SVG itself (no dependencies)."""
import csv
import html
import math
import sys

PANELS = [
    ("resident memory, MB", [("engine_rss_mb", "engine (launcher node)", "#d62728"),
                             ("jvm_rss_mb", "kafru JVM RSS", "#1f77b4"),
                             ("heap_used_mb", "JVM heap used (sampled)", "#17becf"),
                             ("old_gen_mb", "JVM old generation", "#9467bd")]),
    ("data directory, MB", [("disk_mb", "RocksDB data directory", "#8c564b")]),
    ("rows", [("kafru_queues", "kafru_queues", "#1f77b4"), ("kafru_payloads", "kafru_payloads", "#ff7f0e"),
              ("kafru_signals", "kafru_signals", "#2ca02c"), ("kafru_count_deltas", "kafru_count_deltas", "#9467bd"),
              ("kafru_slices", "kafru_slices", "#e377c2"), ("kafru_minutes", "kafru_minutes", "#7f7f7f")]),
    ("push→start, ms", [("p50_ms", "p50", "#2ca02c"), ("p99_ms", "p99", "#d62728")]),
    ("tasks completed per minute", [("completed", "completed", "#1f77b4"), ("pushed", "pushed", "#bcbd22")]),
]


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"{path}: no rows (the soak writes one a minute)")
    out = []
    for r in rows:
        out.append({k: float(v) if v not in ("", "NaN") else math.nan for k, v in r.items()})
    return out


def with_matplotlib(rows, target, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(len(PANELS), 1, figsize=(9, 2.4 * len(PANELS)), sharex=True)
    x = [r["minute"] for r in rows]
    for ax, (label, series) in zip(axes, PANELS):
        for key, name, colour in series:
            if key in rows[0]:
                ax.plot(x, [r[key] for r in rows], label=name, color=colour)
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("minute of the soak")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(target, format="svg")


def nice_top(value):
    if not value or value <= 0 or math.isnan(value):
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * exp >= value:
            return step * exp
    return 10 * exp


def by_hand(rows, target, title):
    width, panel_h, left, right, top, gap = 900, 170, 70, 190, 40, 38
    height = top + len(PANELS) * (panel_h + gap) + 20
    xs = [r["minute"] for r in rows]
    x0, x1 = min(xs + [0]), max(xs + [1])
    plot_w = width - left - right

    def sx(v):
        return left + (v - x0) / (x1 - x0 or 1) * plot_w

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">{html.escape(title)}</text>']
    for i, (label, series) in enumerate(PANELS):
        y_top = top + i * (panel_h + gap)
        present = [s for s in series if s[0] in rows[0]]
        values = [r[k] for r in rows for k, _, _ in present if not math.isnan(r[k])]
        y_max = nice_top(max(values) if values else 1)

        def sy(v):
            return y_top + panel_h - v / y_max * panel_h

        svg.append(f'<text x="{left}" y="{y_top - 6}" font-weight="bold">{html.escape(label)}</text>')
        svg.append(f'<rect x="{left}" y="{y_top}" width="{plot_w}" height="{panel_h}" fill="none" stroke="#999"/>')
        for t in range(5):
            v = y_max * t / 4
            y = sy(v)
            svg.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
            svg.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{v:,.6g}</text>')
        step = max(1, round((x1 - x0) / 12))
        m = math.ceil(x0 / step) * step
        while m <= x1:
            svg.append(f'<text x="{sx(m):.1f}" y="{y_top + panel_h + 13}" text-anchor="middle" fill="#555">{m:g}</text>')
            m += step
        for j, (key, name, colour) in enumerate(present):
            points = " ".join(f"{sx(r['minute']):.1f},{sy(r[key]):.1f}" for r in rows if not math.isnan(r[key]))
            svg.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
            ly = y_top + 12 + j * 15
            svg.append(f'<line x1="{left + plot_w + 10}" x2="{left + plot_w + 28}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>')
            svg.append(f'<text x="{left + plot_w + 32}" y="{ly}">{html.escape(name)}</text>')
    svg.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">minute of the soak</text>')
    svg.append("</svg>")
    with open(target, "w") as f:
        f.write("\n".join(svg) + "\n")


def main(argv):
    args = [a for a in argv if not a.startswith("--title")]
    title = next((a.split("=", 1)[1] for a in argv if a.startswith("--title=")), "kafru soak")
    if len(args) != 2:
        sys.exit(__doc__)
    rows = read(args[0])
    try:
        import matplotlib  # noqa: F401
        with_matplotlib(rows, args[1], title)
    except ImportError:
        by_hand(rows, args[1], title)
    print(f"wrote {args[1]} ({len(rows)} minutes)")


if __name__ == "__main__":
    main(sys.argv[1:])
