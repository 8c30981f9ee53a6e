import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

extension HTMLReport {
    /// The report's one style sheet (allowed by its hash in the page's
    /// Content-Security-Policy). Print rules at the end: no controls, the table in full.
    static let style = #"""
:root { --ink: #1d2329; --muted: #5b6670; --rule: #d5dbe0; --paper: #ffffff; --wash: #f3f5f7; --accent: #0b5cad;
        --land: #e9ecef; --border: #b9c2ca; --hromada: #0057b7; --partner: #9a6700; --unmatched: #b3261e; }
* { box-sizing: border-box; }
html { font: 15px/1.45 system-ui, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif; color: var(--ink); background: var(--paper); }
body { margin: 0 auto; max-width: 1400px; padding: 0 1.25rem 2rem; }
h1 { font-size: 1.6rem; margin: 1.2rem 0 .2rem; }
h2 { font-size: 1.2rem; margin: 1.8rem 0 .6rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: .2rem 0; }
h4 { font-size: .9rem; margin: .9rem 0 .3rem; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
p { margin: .3rem 0; }
.muted { color: var(--muted); }
.summary { font-size: 1.05rem; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.latin { color: var(--muted); font-size: .9em; }
.warnings li { color: var(--unmatched); }
#map-area { display: grid; grid-template-columns: minmax(0, 1fr) 26rem; gap: 1rem; align-items: start; }
.map-wrap { position: relative; border: 1px solid var(--rule); background: #f8fbfd; }
#map { display: block; width: 100%; height: 38rem; cursor: grab; touch-action: none; user-select: none; }
#map.dragging { cursor: grabbing; }
#map path.country { fill: var(--land); stroke: var(--border); stroke-width: .8px; vector-effect: non-scaling-stroke; }
#map line.proposal { stroke-width: 1.6px; vector-effect: non-scaling-stroke; cursor: pointer; }
#map line.proposal:hover, #map line.proposal.selected, #map line.proposal:focus { stroke-width: 4px; outline: none; }
#map line.proposal.dimmed { display: none; }
#map circle { vector-effect: non-scaling-stroke; stroke: #fff; stroke-width: .6px; cursor: pointer; }
#map circle.hromada { fill: var(--hromada); }
#map circle.partner { fill: var(--partner); }
#map .place-label { fill: #111; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; paint-order: stroke; vector-effect: non-scaling-stroke; pointer-events: none; unicode-bidi: isolate; }
#map circle.unmatched { fill: #fff; stroke: var(--unmatched); stroke-width: 1.6px; }
#map circle.selected, #map circle:focus { stroke: #000; stroke-width: 2px; outline: none; }
table.data tbody tr:focus-visible, .map-controls button:focus-visible, th.sortable:focus-visible { outline: 3px solid var(--ink); outline-offset: -3px; }
.map-controls { position: absolute; top: .5rem; left: .5rem; display: flex; gap: .25rem; }
.map-controls button { font: inherit; width: 2rem; height: 2rem; border: 1px solid var(--border); background: #fff; border-radius: 4px; cursor: pointer; }
.legend { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; font-size: .85rem; color: var(--muted); padding: .3rem .5rem; }
.legend .swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 50%; vertical-align: middle; margin-right: .25rem; }
.legend .swatch.hromada { background: var(--hromada); } .legend .swatch.partner { background: var(--partner); }
.legend .swatch.unmatched { background: #fff; border: 2px solid var(--unmatched); }
.legend svg { vertical-align: middle; }
#card { border: 1px solid var(--rule); background: var(--wash); padding: .8rem 1rem; min-height: 38rem; overflow-wrap: anywhere; }
#card .pair { display: grid; grid-template-columns: 1fr 1fr; gap: .8rem; }
#card .place h3 { font-size: 1.05rem; }
#card .score { font-size: 1.3rem; font-weight: 600; }
#card table { width: 100%; border-collapse: collapse; font-size: .85rem; }
#card td, #card th { padding: .15rem .25rem; text-align: left; }
.bar { position: relative; height: .7rem; background: #dde3e8; border-radius: 2px; min-width: 5rem; }
.bar > span { position: absolute; left: 0; top: 0; bottom: 0; background: var(--accent); border-radius: 2px; }
.bar.negative > span { background: #8a5a00; }
.status { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .8rem; background: #e3e8ec; }
.status.locked { background: #fde4c8; } .status.accepted { background: #d2ecd9; }
#filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; margin-bottom: .6rem; }
#filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); gap: .15rem; }
#filters input, #filters select, #filters button { font: inherit; font-size: .9rem; padding: .2rem .3rem; }
#filters select { max-width: 16rem; text-overflow: ellipsis; }
#decisions { display: flex; flex-wrap: wrap; gap: .4rem .8rem; align-items: center; margin: .4rem 0 .8rem; }
#decisions h3 { margin: 0; font-size: 1rem; } #decisions p { flex-basis: 100%; margin: 0; }
#decisions button, .decide button, #decisions input { font: inherit; font-size: .9rem; padding: .2rem .5rem; }
.decide textarea { width: 100%; font: inherit; font-size: .9rem; }
.decide .decision-state { font-weight: 600; }
#filters input[type=number] { width: 5.5rem; }
#filters input[type=search] { width: 16rem; }
table.data { width: 100%; border-collapse: collapse; font-size: .88rem; }
table.data th, table.data td { padding: .25rem .4rem; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
table.data thead th { position: sticky; top: 0; background: var(--paper); border-bottom: 2px solid var(--border); white-space: nowrap; }
table.data thead th.sortable { cursor: pointer; }
table.data thead th[aria-sort=ascending]::after { content: " ▲"; font-size: .7em; }
table.data thead th[aria-sort=descending]::after { content: " ▼"; font-size: .7em; }
table.data td.names, table.data td.oblast, table.data td.reason { max-width: 18rem; overflow-wrap: anywhere; }
/* Every string from the data is isolated for direction: an override inside a name stays inside it. */
table.data td.names span, table.data td.oblast, table.data td.reason, #card .name, #card .latin, #card p, #card li,
#card h3, footer td { unicode-bidi: isolate; overflow-wrap: anywhere; }
table.data tbody tr { cursor: pointer; }
table.data tbody tr:hover { background: var(--wash); }
table.data tbody tr.selected { background: #dbe9f7; }
.table-scroll { max-height: 40rem; overflow: auto; border: 1px solid var(--rule); }
#pager { display: flex; flex-wrap: wrap; gap: .4rem .6rem; align-items: center; margin: .5rem 0; font-size: .9rem; }
#pager button, #pager select { font: inherit; padding: .2rem .5rem; }
#pager label { color: var(--muted); margin-left: auto; }
#charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1.2rem; }
#charts figure { margin: 0; }
#charts figcaption { font-weight: 600; margin-bottom: .3rem; }
#charts svg { width: 100%; height: auto; font-size: 11px; }
#charts rect.bar-rect { fill: var(--accent); }
#charts text { fill: var(--ink); }
footer { margin-top: 2rem; border-top: 1px solid var(--rule); padding-top: .6rem; font-size: .82rem; color: var(--muted); }
footer table { border-collapse: collapse; margin: .3rem 0; }
footer td, footer th { padding: .1rem .6rem .1rem 0; text-align: left; vertical-align: top; }
footer code { font-size: .95em; word-break: break-all; }
@media (max-width: 900px) { #map-area { grid-template-columns: 1fr; } #card { min-height: 0; } }
@media print {
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  #card > p.placeholder { display: none; }
  html { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  #filters, #decisions, .decide, .map-controls, #pager, noscript { display: none !important; }
  #map-area { grid-template-columns: 1fr; }
  #map { height: 16cm; }
  #card { min-height: 0; break-inside: avoid; }
  .table-scroll { max-height: none; overflow: visible; border: 0; }
  table.data thead th { position: static; }
  table.data tr { break-inside: avoid; }
  /* One proposal per printed line: both names of a place on one line, a smaller type. */
  table.data { font-size: 8pt; }
  table.data th, table.data td { padding: 1px 4px; }
  table.data td.names br { display: none; }
  table.data td.names .latin::before { content: " · "; }
  h2 { break-after: avoid; }
  #charts { grid-template-columns: 1fr 1fr; }
  a { color: inherit; text-decoration: none; }
}
"""#
}
