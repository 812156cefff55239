import { useState } from "react";
import { Link } from "react-router-dom";

import type { IdentityDetail } from "../../../api/types";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { shortId } from "../../../components/format";
import { useCannotLink } from "../api/cannotLink";
import { useMergeIdentities } from "../api/mergeIdentities";
import { useSplitIdentity } from "../api/splitIdentity";

const UUID_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Pending =
  | { kind: "merge"; other: string }
  | { kind: "cannot-link"; other: string }
  | { kind: "split" }
  | null;

type AnalystActionsProps = {
  identity: IdentityDetail;
  /** Observations ticked in the table, uuid to IP, for the message. */
  selected: ReadonlyMap<string, string>;
  onSplitDone: () => void;
};

/** Merge, cannot-link and split, each behind a confirmation of the change. */
export function AnalystActions({
  identity,
  selected,
  onSplitDone,
}: AnalystActionsProps) {
  const [other, setOther] = useState("");
  const [reason, setReason] = useState("");
  const [inputError, setInputError] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [outcome, setOutcome] = useState<React.ReactNode>(null);
  const merge = useMergeIdentities();
  const cannotLink = useCannotLink();
  const split = useSplitIdentity();

  const ask = (kind: "merge" | "cannot-link") => {
    const value = other.trim().toLowerCase();
    if (!UUID_PATTERN.test(value)) {
      setInputError(
        `"${other}" is not an identity uuid; paste the full 36-character uuid.`,
      );
      return;
    }
    if (value === identity.uuid) {
      setInputError("That is this identity; enter another one.");
      return;
    }
    setInputError(null);
    setOutcome(null);
    setPending({ kind, other: value });
  };

  const close = () => {
    setPending(null);
    merge.reset();
    cannotLink.reset();
    split.reset();
  };

  const done = (message: React.ReactNode) => {
    close();
    setOther("");
    setReason("");
    setOutcome(message);
  };

  const activeError =
    merge.error?.message ?? cannotLink.error?.message ?? split.error?.message;

  return (
    <section className="panel" aria-labelledby="actions-title">
      <h2 id="actions-title">Analyst actions</h2>
      <div className="row">
        <label htmlFor="other-identity">Other identity uuid</label>
        <input
          id="other-identity"
          value={other}
          onChange={(event) => setOther(event.target.value)}
          aria-invalid={inputError ? true : undefined}
          aria-describedby={inputError ? "other-identity-error" : undefined}
          placeholder="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
          size={38}
        />
        <button type="button" onClick={() => ask("merge")}>
          Merge into this…
        </button>
        <button type="button" onClick={() => ask("cannot-link")}>
          Mark cannot-link…
        </button>
      </div>
      {inputError ? (
        <p id="other-identity-error" className="form-error" role="alert">
          {inputError}
        </p>
      ) : null}
      <div className="row">
        <button
          type="button"
          disabled={selected.size === 0}
          onClick={() => {
            setOutcome(null);
            setPending({ kind: "split" });
          }}
        >
          Split {selected.size} selected observation
          {selected.size === 1 ? "" : "s"} out…
        </button>
        {selected.size === 0 ? (
          <span className="muted">
            Tick observations in the table to split them out.
          </span>
        ) : null}
      </div>
      <div className="row">
        <label htmlFor="decision-reason">Reason (recorded with it)</label>
        <input
          id="decision-reason"
          value={reason}
          maxLength={2000}
          size={50}
          onChange={(event) => setReason(event.target.value)}
        />
      </div>
      {outcome ? <p role="status">{outcome}</p> : null}

      {pending?.kind === "merge" ? (
        <ConfirmDialog
          title="Merge identities?"
          confirmLabel="Merge"
          busy={merge.isPending}
          error={activeError}
          onCancel={close}
          onConfirm={() =>
            merge.mutate(
              { winnerUuid: identity.uuid, loserUuid: pending.other, reason },
              {
                onSuccess: (result) =>
                  done(
                    `Merged ${shortId(pending.other)} into this identity: ` +
                      `${result.observation_uuids.length} observations moved.`,
                  ),
              },
            )
          }
        >
          <p>
            Identity <code>{shortId(pending.other)}</code> will be merged into
            this identity, <code>{shortId(identity.uuid)}</code>. Its
            observations will count here, it will leave the identity list, and
            its page will show{" "}
            <strong>MERGED INTO {shortId(identity.uuid)}</strong>.
          </p>
          <p>
            The decision is recorded under your name and the clusterer keeps it
            on every later pass.
          </p>
        </ConfirmDialog>
      ) : null}

      {pending?.kind === "cannot-link" ? (
        <ConfirmDialog
          title="Mark as different actors?"
          confirmLabel="Mark cannot-link"
          busy={cannotLink.isPending}
          error={activeError}
          onCancel={close}
          onConfirm={() =>
            cannotLink.mutate(
              {
                subject_type: "identity",
                a: identity.uuid,
                b: pending.other,
                reason,
              },
              {
                onSuccess: () =>
                  done(
                    `Recorded: ${shortId(identity.uuid)} and ` +
                      `${shortId(pending.other)} are different actors.`,
                  ),
              },
            )
          }
        >
          <p>
            Identities <code>{shortId(identity.uuid)}</code> and{" "}
            <code>{shortId(pending.other)}</code> will be recorded as different
            actors. The clusterer will never merge them, whatever evidence later
            links them. Nothing moves now.
          </p>
        </ConfirmDialog>
      ) : null}

      {pending?.kind === "split" ? (
        <ConfirmDialog
          title="Split observations out?"
          confirmLabel="Split"
          busy={split.isPending}
          error={activeError}
          onCancel={close}
          onConfirm={() =>
            split.mutate(
              {
                uuid: identity.uuid,
                observationUuids: [...selected.keys()],
                reason,
              },
              {
                onSuccess: () => {
                  onSplitDone();
                  done(
                    <>
                      Split recorded. The clusterer moves the observations on
                      its next pass; see{" "}
                      <Link to="/attackers?resolved=unresolved">
                        unresolved attackers
                      </Link>
                      .
                    </>,
                  );
                },
              },
            )
          }
        >
          <p>
            {selected.size} observation{selected.size === 1 ? "" : "s"} will
            leave identity <code>{shortId(identity.uuid)}</code>:
          </p>
          <ul>
            {[...selected.values()].map((ip) => (
              <li key={ip}>
                <code>{ip}</code>
              </li>
            ))}
          </ul>
          <p>
            The split is recorded now and applied by the clusterer on its next
            pass, which gives them an identity of their own and keeps them apart
            from this one afterwards.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
