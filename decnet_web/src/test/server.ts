import { setupServer } from "msw/node";

/** HTTP server double for component tests; each test adds its handlers. */
export const server = setupServer();
