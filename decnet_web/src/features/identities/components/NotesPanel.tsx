import { useEffect, useState } from "react";

import type { IdentityDetail } from "../../../api/types";
import { useUpdateIdentityNotes } from "../api/updateIdentityNotes";

type NotesPanelProps = {
  requestedUuid: string;
  identity: IdentityDetail;
  editable: boolean;
};

/** Analyst notes: editable for analysts and admins, read-only otherwise. */
export function NotesPanel({
  requestedUuid,
  identity,
  editable,
}: NotesPanelProps) {
  const saved = identity.notes ?? "";
  const [draft, setDraft] = useState(saved);
  const mutation = useUpdateIdentityNotes(requestedUuid);
  const dirty = draft !== saved;

  // Take a newer server value unless the analyst is mid-edit.
  useEffect(() => {
    if (!dirty) {
      setDraft(saved);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saved]);

  return (
    <section className="panel" aria-labelledby="notes-title">
      <h2 id="notes-title">Analyst notes</h2>
      {editable ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            mutation.mutate({ uuid: identity.uuid, notes: draft });
          }}
        >
          <label htmlFor="identity-notes" className="visually-hidden">
            Notes on this identity
          </label>
          <textarea
            id="identity-notes"
            rows={5}
            maxLength={20000}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
          <div className="row">
            <button
              type="submit"
              className="primary"
              disabled={!dirty || mutation.isPending}
            >
              {mutation.isPending ? "Saving…" : "Save notes"}
            </button>
            {mutation.isSuccess && !dirty ? (
              <span role="status">Notes saved.</span>
            ) : null}
            {mutation.isError ? (
              <span className="form-error" role="alert">
                Notes not saved: {mutation.error.message}
              </span>
            ) : null}
          </div>
        </form>
      ) : saved ? (
        <p className="notes">{saved}</p>
      ) : (
        <p className="muted">No notes. Analysts can add them.</p>
      )}
    </section>
  );
}
