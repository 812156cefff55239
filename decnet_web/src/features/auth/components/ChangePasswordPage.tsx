import { useState, type FormEvent } from "react";

import { ApiError } from "../../../api/client";
import { useChangePassword } from "../api/changePassword";
import { useSession } from "../api/useSession";

const MIN_LENGTH = 8;

/** Render the form that replaces the signed-in user's password. */
export function ChangePasswordPage() {
  const { session } = useSession();
  const mutation = useChangePassword();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (next.length < MIN_LENGTH) {
      setProblem(`The new password needs at least ${MIN_LENGTH} characters.`);
      return;
    }
    if (next !== repeat) {
      setProblem("The two new passwords differ; type the same one twice.");
      return;
    }
    setProblem(null);
    mutation.mutate({ current_password: current, new_password: next });
  };

  const serverError =
    mutation.error instanceof ApiError && mutation.error.status === 401
      ? "The current password is wrong."
      : mutation.error?.message;

  return (
    <section className="panel narrow" aria-labelledby="password-title">
      <h1 id="password-title">Change password</h1>
      {session?.mustChangePassword ? (
        <p className="notice" role="status">
          You signed in with a one-time password. Choose your own to continue.
        </p>
      ) : null}
      <form className="stacked" onSubmit={onSubmit}>
        <label htmlFor="current-password">Current password</label>
        <input
          id="current-password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <label htmlFor="new-password">New password</label>
        <input
          id="new-password"
          type="password"
          autoComplete="new-password"
          required
          value={next}
          onChange={(event) => setNext(event.target.value)}
        />
        <label htmlFor="repeat-password">New password again</label>
        <input
          id="repeat-password"
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(event) => setRepeat(event.target.value)}
        />
        {problem || serverError ? (
          <p className="form-error" role="alert">
            {problem ?? serverError}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {mutation.isPending ? "Changing…" : "Change password"}
        </button>
      </form>
    </section>
  );
}
