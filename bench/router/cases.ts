/**
 * The lookups the benchmark times, each with the answer every router must give
 * (checked before timing). Handlers are named as in routes.ts: `"<METHOD> <path>"`.
 */
import type { MatchResult } from "./types.js";

export interface MatchCase {
  id: string;
  /** Row label in the results table. */
  label: string;
  method: string;
  path: string;
  expect: MatchResult;
}

export const matchCases: readonly MatchCase[] = [
  {
    id: "static",
    label: "static `GET /user/repos`",
    method: "GET",
    path: "/user/repos",
    expect: { status: 200, handler: "GET /user/repos", params: {} },
  },
  {
    id: "param1",
    label: "1 value `GET /users/:username`",
    method: "GET",
    path: "/users/octocat",
    expect: { status: 200, handler: "GET /users/:username", params: { username: "octocat" } },
  },
  {
    id: "param3",
    label: "3 values `GET /repos/:owner/:repo/git/trees/:tree_sha` (registered last)",
    method: "GET",
    path: "/repos/octocat/Hello-World/git/trees/9fb037999f264ba9a7fc6274d15fa3ae2ab98312",
    expect: {
      status: 200,
      handler: "GET /repos/:owner/:repo/git/trees/:tree_sha",
      params: { owner: "octocat", repo: "Hello-World", tree_sha: "9fb037999f264ba9a7fc6274d15fa3ae2ab98312" },
    },
  },
  {
    id: "miss",
    label: "miss (404) `GET /repos/octocat/Hello-World/wiki/Home`",
    method: "GET",
    path: "/repos/octocat/Hello-World/wiki/Home",
    expect: { status: 404 },
  },
  {
    id: "405",
    label: "wrong method (405) `DELETE /repos/:owner/:repo/issues/:issue_number`",
    method: "DELETE",
    path: "/repos/octocat/Hello-World/issues/1347",
    // Allowed: GET and PATCH (Werkzeug-style routers add HEAD to GET).
    expect: { status: 405, allow: ["GET", "PATCH"] },
  },
];

/** The URL-building case (Flagon's `adapter.build`, path-to-regexp's `compile`). */
export const buildCase = {
  id: "build",
  label: "build URL for the 3-value route",
  handler: "GET /repos/:owner/:repo/git/trees/:tree_sha",
  params: { owner: "octocat", repo: "Hello-World", tree_sha: "9fb037999f264ba9a7fc6274d15fa3ae2ab98312" },
  expect: "/repos/octocat/Hello-World/git/trees/9fb037999f264ba9a7fc6274d15fa3ae2ab98312",
} as const;
