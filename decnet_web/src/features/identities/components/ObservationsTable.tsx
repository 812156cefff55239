import { Link } from "react-router-dom";

import type { AttackerPage } from "../../../api/types";
import { formatTime } from "../../../components/format";

type ObservationsTableProps = {
  page: AttackerPage;
  /** Selected observation uuids, or undefined when selection is off. */
  selected?: ReadonlySet<string>;
  onToggle?: (uuid: string) => void;
};

/** Render the observations of an identity, linking each to AttackerDetail. */
export function ObservationsTable({
  page,
  selected,
  onToggle,
}: ObservationsTableProps) {
  const selectable = selected !== undefined && onToggle !== undefined;
  return (
    <div className="table-wrap">
      <table aria-label="Observations">
        <thead>
          <tr>
            {selectable ? (
              <th scope="col">
                <span className="visually-hidden">Select</span>
              </th>
            ) : null}
            <th scope="col">IP</th>
            <th scope="col" className="num">
              Sessions
            </th>
            <th scope="col" className="num">
              Commands
            </th>
            <th scope="col">First seen</th>
            <th scope="col">Last seen</th>
            <th scope="col">Sensors</th>
          </tr>
        </thead>
        <tbody>
          {page.data.map((row) => (
            <tr key={row.uuid}>
              {selectable ? (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${row.ip}`}
                    checked={selected.has(row.uuid)}
                    onChange={() => onToggle(row.uuid)}
                  />
                </td>
              ) : null}
              <td>
                <Link to={`/attackers/${row.uuid}`}>
                  <code>{row.ip}</code>
                </Link>
              </td>
              <td className="num">{row.session_count}</td>
              <td className="num">{row.command_count}</td>
              <td>{formatTime(row.first_seen_at)}</td>
              <td>{formatTime(row.last_seen_at)}</td>
              <td className="truncate">{(row.sensors ?? []).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
