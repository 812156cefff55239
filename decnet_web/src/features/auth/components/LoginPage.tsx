import { useState, type FormEvent } from "react";
import { Navigate, useLocation } from "react-router-dom";

import { ApiError } from "../../../api/client";
import { useLogin } from "../api/login";
import { useSession } from "../api/useSession";

type LocationState = { from?: string } | null;

function loginErrorMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) {
    return "Wrong user name or password.";
  }
  if (error instanceof ApiError && error.status === 429) {
    return "Too many attempts. Wait a minute, then try again.";
  }
  if (error instanceof ApiError) {
    return `Sign-in failed: ${error.message}`;
  }
  return "Cannot reach the DECNET API. Check that `decnet serve` is running.";
}

/** Sign-in form; after a session ends it says so and returns to the page. */
export function LoginPage() {
  const { session, expired, notice } = useSession();
  const location = useLocation();
  const from = (location.state as LocationState)?.from ?? "/identities";
  const login = useLogin();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");

  if (session) {
    const target = session.mustChangePassword ? "/account/password" : from;
    return <Navigate to={target} replace />;
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ username: username.trim(), password });
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={onSubmit} aria-label="Sign in">
        <h1>DECNET</h1>
        <p className="muted">Identity resolution for honeypot fleets</p>
        {expired && !login.isError ? (
          <p className="notice" role="status">
            Your session expired. Sign in again to continue.
          </p>
        ) : null}
        {notice && !expired && !login.isError ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <label htmlFor="login-username">User name</label>
        <input
          id="login-username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        {login.isError ? (
          <p className="form-error" role="alert">
            {loginErrorMessage(login.error)}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
