import type { Attacker } from "../../../api/types";
import { formatTime } from "../../../components/format";

type Span = { uuid: string; ip: string; start: number; end: number };

const WIDTH = 720;
const ROW = 18;
const LABEL = 140;

function toSpans(rows: readonly Attacker[]): Span[] {
  const spans: Span[] = [];
  for (const row of rows) {
    const start = Date.parse(row.first_seen_at ?? "");
    const end = Date.parse(row.last_seen_at ?? row.first_seen_at ?? "");
    if (Number.isFinite(start)) {
      spans.push({
        uuid: row.uuid,
        ip: row.ip,
        start,
        end: Number.isFinite(end) ? Math.max(start, end) : start,
      });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

/**
 * When each observation on the current page was active: one bar per IP
 * from first to last seen, on a shared UTC axis.
 */
export function ActivityTimeline({ rows }: { rows: readonly Attacker[] }) {
  const spans = toSpans(rows);
  if (spans.length === 0) {
    return <p className="muted">No timestamps to draw.</p>;
  }
  const min = Math.min(...spans.map((span) => span.start));
  const max = Math.max(...spans.map((span) => span.end));
  const range = Math.max(max - min, 60_000);
  const x = (time: number) =>
    LABEL + ((time - min) / range) * (WIDTH - LABEL - 8);
  const height = spans.length * ROW + 28;

  return (
    <figure className="timeline">
      <svg
        role="img"
        aria-label={`Activity of ${spans.length} observations from ${formatTime(
          new Date(min).toISOString(),
        )} to ${formatTime(new Date(max).toISOString())}`}
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
      >
        {spans.map((span, index) => (
          <g key={span.uuid} transform={`translate(0 ${index * ROW})`}>
            <text x={0} y={13} className="timeline-label">
              {span.ip}
            </text>
            <rect
              x={x(span.start)}
              y={4}
              width={Math.max(3, x(span.end) - x(span.start))}
              height={ROW - 8}
              rx={2}
              className="timeline-bar"
            >
              <title>
                {span.ip}: {formatTime(new Date(span.start).toISOString())} to{" "}
                {formatTime(new Date(span.end).toISOString())}
              </title>
            </rect>
          </g>
        ))}
        <text x={LABEL} y={height - 6} className="timeline-axis">
          {formatTime(new Date(min).toISOString())}
        </text>
        <text
          x={WIDTH - 8}
          y={height - 6}
          className="timeline-axis"
          textAnchor="end"
        >
          {formatTime(new Date(max).toISOString())}
        </text>
      </svg>
    </figure>
  );
}
