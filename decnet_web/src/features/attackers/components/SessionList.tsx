import type { AttackerSession } from "../../../api/types";
import { formatTime } from "../../../components/format";

function InputMarker({ typed }: { typed: boolean | null }) {
  if (typed === null) {
    return <span className="marker marker-unknown">input unknown</span>;
  }
  return typed ? (
    <span
      className="marker marker-typed"
      title="Keystrokes arrived one at a time"
    >
      typed
    </span>
  ) : (
    <span className="marker marker-pasted" title="Input arrived in bursts">
      pasted
    </span>
  );
}

type Entry = Record<string, unknown>;

function str(entry: Entry, key: string): string | null {
  const value = entry[key];
  return typeof value === "string" ? value : null;
}

function SessionItem({ session }: { session: AttackerSession }) {
  const credentials: Entry[] = session.credentials ?? [];
  const commands: Entry[] = session.commands ?? [];
  const downloads: Entry[] = session.downloads ?? [];
  return (
    <li className="session">
      <h3>
        {session.protocol ?? "session"} {session.session_id} on {session.sensor}{" "}
        <InputMarker typed={session.input_typed} />
        {session.phase ? <span className="marker">{session.phase}</span> : null}
      </h3>
      <p className="muted">
        {formatTime(session.started_at)}
        {session.duration_s !== null
          ? `, ${session.duration_s.toFixed(1)} s`
          : ""}
        {session.client_version ? ` · ${session.client_version}` : ""}
        {session.hassh ? ` · HASSH ${session.hassh}` : ""}
      </p>
      {credentials.length > 0 ? (
        <>
          <h4>Credentials ({credentials.length})</h4>
          <ul className="credentials">
            {credentials.map((item, index) => (
              <li key={index}>
                <code>
                  {str(item, "username") ?? ""}:{str(item, "password") ?? ""}
                </code>{" "}
                {item.success === true ? (
                  <span className="marker marker-success">accepted</span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {commands.length > 0 ? (
        <>
          <h4>Commands ({commands.length})</h4>
          <pre className="commands" tabIndex={0} aria-label="Commands">
            {commands
              .map(
                (item) =>
                  `$ ${str(item, "input") ?? ""}${item.failed === true ? "   # failed" : ""}`,
              )
              .join("\n")}
          </pre>
        </>
      ) : null}
      {downloads.length > 0 ? (
        <>
          <h4>Downloads ({downloads.length})</h4>
          <ul className="downloads">
            {downloads.map((item, index) => (
              <li key={index}>
                {str(item, "kind") ?? "download"}{" "}
                <code>{str(item, "url") ?? "(no URL)"}</code>
                {str(item, "sha256") ? (
                  <>
                    {" "}
                    SHA-256 <code>{str(item, "sha256")?.slice(0, 16)}…</code>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </li>
  );
}

/** Render the sessions of one observation: credentials, commands, downloads. */
export function SessionList({ sessions }: { sessions: AttackerSession[] }) {
  if (sessions.length === 0) {
    return <p className="muted">No sessions recorded.</p>;
  }
  return (
    <ol className="sessions">
      {sessions.map((session) => (
        <SessionItem key={session.id} session={session} />
      ))}
    </ol>
  );
}
