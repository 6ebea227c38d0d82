/**
 * The route table of the router benchmark: ~300 routes modelled on the GitHub REST API
 * (https://docs.github.com/rest), with the methods GitHub serves on each path.
 *
 * Written once in a neutral form (`{ method, path }`, params as `:name`, one segment
 * each) and converted by each router adapter (`routers/*.ts`). Paths GitHub documents
 * with a multi-segment param (`contents/{path}`, `git/refs/{ref}`) are kept as one
 * segment here, so that every router reads the same table the same way.
 *
 * Order matters for the routers that try routes in registration order (the
 * path-to-regexp linear scan, Hono's handler order): static routes come before the
 * param routes they overlap with (`/user/repos` before `/user/:account_id`), as an
 * Express or Hono app would register them. The git-database section is registered
 * last on purpose, so the deep 3-value case sits late in the table.
 */

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface Route {
  method: Method;
  /** Neutral path syntax: `/repos/:owner/:repo/issues/:issue_number`. */
  path: string;
}

/** The handler (endpoint) name every router stores for a route: `"GET /users/:username"`. */
export function handlerName(route: Route): string {
  return `${route.method} ${route.path}`;
}

/** The `:name` params of a neutral path, in order. */
export function paramNames(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

const table: Route[] = [];

/** Register `path` for each of `methods`. */
function on(path: string, ...methods: Method[]): void {
  for (const method of methods) table.push({ method, path });
}

// --- meta, activity --------------------------------------------------------------------
on("/", "GET");
on("/meta", "GET");
on("/zen", "GET");
on("/rate_limit", "GET");
on("/emojis", "GET");
on("/events", "GET");
on("/markdown", "POST");
on("/markdown/raw", "POST");
on("/licenses", "GET");
on("/licenses/:license", "GET");

// --- the authenticated user --------------------------------------------------------------
on("/user", "GET", "PATCH");
on("/user/repos", "GET", "POST");
on("/user/orgs", "GET");
on("/user/teams", "GET");
on("/user/issues", "GET");
on("/user/emails", "GET", "POST", "DELETE");
on("/user/followers", "GET");
on("/user/following", "GET");
on("/user/following/:username", "GET", "PUT", "DELETE");
on("/user/keys", "GET", "POST");
on("/user/keys/:key_id", "GET", "DELETE");
on("/user/starred", "GET");
on("/user/starred/:owner/:repo", "GET", "PUT", "DELETE");
on("/user/subscriptions", "GET");
on("/user/installations", "GET");
on("/user/:account_id", "GET");

// --- users ----------------------------------------------------------------------------
on("/users", "GET");
on("/users/:username", "GET");
on("/users/:username/repos", "GET");
on("/users/:username/orgs", "GET");
on("/users/:username/followers", "GET");
on("/users/:username/following", "GET");
on("/users/:username/following/:target_user", "GET");
on("/users/:username/gists", "GET");
on("/users/:username/keys", "GET");
on("/users/:username/starred", "GET");
on("/users/:username/subscriptions", "GET");
on("/users/:username/events", "GET");
on("/users/:username/events/public", "GET");

// --- organizations ---------------------------------------------------------------------
on("/organizations", "GET");
on("/orgs/:org", "GET", "PATCH", "DELETE");
on("/orgs/:org/repos", "GET", "POST");
on("/orgs/:org/members", "GET");
on("/orgs/:org/members/:username", "GET", "DELETE");
on("/orgs/:org/memberships/:username", "GET", "PUT", "DELETE");
on("/orgs/:org/invitations", "GET", "POST");
on("/orgs/:org/invitations/:invitation_id", "DELETE");
on("/orgs/:org/hooks", "GET", "POST");
on("/orgs/:org/hooks/:hook_id", "GET", "PATCH", "DELETE");
on("/orgs/:org/hooks/:hook_id/pings", "POST");
on("/orgs/:org/events", "GET");
on("/orgs/:org/issues", "GET");

// --- teams -----------------------------------------------------------------------------
on("/orgs/:org/teams", "GET", "POST");
on("/orgs/:org/teams/:team_slug", "GET", "PATCH", "DELETE");
on("/orgs/:org/teams/:team_slug/members", "GET");
on("/orgs/:org/teams/:team_slug/memberships/:username", "GET", "PUT", "DELETE");
on("/orgs/:org/teams/:team_slug/repos", "GET");
on("/orgs/:org/teams/:team_slug/repos/:owner/:repo", "GET", "PUT", "DELETE");
on("/teams/:team_id", "GET", "PATCH", "DELETE");
on("/teams/:team_id/members", "GET");
on("/teams/:team_id/repos", "GET");

// --- gists -----------------------------------------------------------------------------
on("/gists", "GET", "POST");
on("/gists/public", "GET");
on("/gists/starred", "GET");
on("/gists/:gist_id", "GET", "PATCH", "DELETE");
on("/gists/:gist_id/comments", "GET", "POST");
on("/gists/:gist_id/comments/:comment_id", "GET", "PATCH", "DELETE");
on("/gists/:gist_id/commits", "GET");
on("/gists/:gist_id/forks", "GET", "POST");
on("/gists/:gist_id/star", "GET", "PUT", "DELETE");
on("/gists/:gist_id/:sha", "GET");

// --- search, notifications, apps -------------------------------------------------------
on("/search/code", "GET");
on("/search/commits", "GET");
on("/search/issues", "GET");
on("/search/labels", "GET");
on("/search/repositories", "GET");
on("/search/topics", "GET");
on("/search/users", "GET");
on("/notifications", "GET", "PUT");
on("/notifications/threads/:thread_id", "GET", "PATCH", "DELETE");
on("/app", "GET");
on("/app/installations", "GET");
on("/app/installations/:installation_id", "GET", "DELETE");
on("/apps/:app_slug", "GET");

// --- repositories ----------------------------------------------------------------------
on("/repositories", "GET");
on("/repos/:owner/:repo", "GET", "PATCH", "DELETE");
on("/repos/:template_owner/:template_repo/generate", "POST");
on("/repos/:owner/:repo/topics", "GET", "PUT");
on("/repos/:owner/:repo/languages", "GET");
on("/repos/:owner/:repo/contributors", "GET");
on("/repos/:owner/:repo/tags", "GET");
on("/repos/:owner/:repo/teams", "GET");
on("/repos/:owner/:repo/forks", "GET", "POST");
on("/repos/:owner/:repo/dispatches", "POST");
on("/repos/:owner/:repo/transfer", "POST");
on("/repos/:owner/:repo/readme", "GET");
on("/repos/:owner/:repo/contents/:path", "GET", "PUT", "DELETE");
on("/repos/:owner/:repo/tarball/:ref", "GET");
on("/repos/:owner/:repo/zipball/:ref", "GET");
on("/repos/:owner/:repo/branches", "GET");
on("/repos/:owner/:repo/branches/:branch", "GET");
on("/repos/:owner/:repo/branches/:branch/rename", "POST");
on("/repos/:owner/:repo/branches/:branch/protection", "GET", "PUT", "DELETE");
on("/repos/:owner/:repo/merges", "POST");
on("/repos/:owner/:repo/merge-upstream", "POST");
on("/repos/:owner/:repo/collaborators", "GET");
on("/repos/:owner/:repo/collaborators/:username", "GET", "PUT", "DELETE");
on("/repos/:owner/:repo/collaborators/:username/permission", "GET");
on("/repos/:owner/:repo/hooks", "GET", "POST");
on("/repos/:owner/:repo/hooks/:hook_id", "GET", "PATCH", "DELETE");
on("/repos/:owner/:repo/events", "GET");
on("/repos/:owner/:repo/notifications", "GET", "PUT");
on("/repos/:owner/:repo/stargazers", "GET");
on("/repos/:owner/:repo/subscribers", "GET");
on("/repos/:owner/:repo/subscription", "GET", "PUT", "DELETE");
on("/repos/:owner/:repo/deployments", "GET", "POST");
on("/repos/:owner/:repo/deployments/:deployment_id", "GET", "DELETE");
on("/repos/:owner/:repo/labels", "GET", "POST");
on("/repos/:owner/:repo/labels/:name", "GET", "PATCH", "DELETE");
on("/repos/:owner/:repo/milestones", "GET", "POST");
on("/repos/:owner/:repo/milestones/:milestone_number", "GET", "PATCH", "DELETE");
on("/repos/:owner/:repo/milestones/:milestone_number/labels", "GET");
on("/repos/:owner/:repo/assignees", "GET");
on("/repos/:owner/:repo/assignees/:assignee", "GET");

// --- issues ----------------------------------------------------------------------------
on("/repos/:owner/:repo/issues", "GET", "POST");
on("/repos/:owner/:repo/issues/comments", "GET");
on("/repos/:owner/:repo/issues/comments/:comment_id", "GET", "PATCH", "DELETE");
on("/repos/:owner/:repo/issues/events", "GET");
on("/repos/:owner/:repo/issues/events/:event_id", "GET");
on("/repos/:owner/:repo/issues/:issue_number", "GET", "PATCH");
on("/repos/:owner/:repo/issues/:issue_number/comments", "GET", "POST");
on("/repos/:owner/:repo/issues/:issue_number/events", "GET");
on("/repos/:owner/:repo/issues/:issue_number/timeline", "GET");
on("/repos/:owner/:repo/issues/:issue_number/labels", "GET", "POST", "PUT", "DELETE");
on("/repos/:owner/:repo/issues/:issue_number/labels/:name", "DELETE");
on("/repos/:owner/:repo/issues/:issue_number/assignees", "POST", "DELETE");
on("/repos/:owner/:repo/issues/:issue_number/assignees/:assignee", "GET");

// --- pull requests ---------------------------------------------------------------------
on("/repos/:owner/:repo/pulls", "GET", "POST");
on("/repos/:owner/:repo/pulls/comments", "GET");
on("/repos/:owner/:repo/pulls/comments/:comment_id", "GET", "PATCH", "DELETE");
on("/repos/:owner/:repo/pulls/:pull_number", "GET", "PATCH");
on("/repos/:owner/:repo/pulls/:pull_number/commits", "GET");
on("/repos/:owner/:repo/pulls/:pull_number/files", "GET");
on("/repos/:owner/:repo/pulls/:pull_number/merge", "GET", "PUT");
on("/repos/:owner/:repo/pulls/:pull_number/comments", "GET", "POST");
on("/repos/:owner/:repo/pulls/:pull_number/comments/:comment_id/replies", "POST");
on("/repos/:owner/:repo/pulls/:pull_number/requested_reviewers", "GET", "POST", "DELETE");
on("/repos/:owner/:repo/pulls/:pull_number/reviews", "GET", "POST");
on("/repos/:owner/:repo/pulls/:pull_number/reviews/:review_id", "GET", "PUT", "DELETE");

// --- commits, statuses, checks ---------------------------------------------------------
on("/repos/:owner/:repo/commits", "GET");
on("/repos/:owner/:repo/commits/:ref", "GET");
on("/repos/:owner/:repo/commits/:commit_sha/comments", "GET", "POST");
on("/repos/:owner/:repo/commits/:commit_sha/pulls", "GET");
on("/repos/:owner/:repo/commits/:ref/status", "GET");
on("/repos/:owner/:repo/commits/:ref/statuses", "GET");
on("/repos/:owner/:repo/commits/:ref/check-runs", "GET");
on("/repos/:owner/:repo/commits/:ref/check-suites", "GET");
on("/repos/:owner/:repo/comments", "GET");
on("/repos/:owner/:repo/comments/:comment_id", "GET", "PATCH", "DELETE");
on("/repos/:owner/:repo/compare/:basehead", "GET");
on("/repos/:owner/:repo/statuses/:sha", "POST");
on("/repos/:owner/:repo/check-runs", "POST");
on("/repos/:owner/:repo/check-runs/:check_run_id", "GET", "PATCH");
on("/repos/:owner/:repo/check-suites", "POST");
on("/repos/:owner/:repo/check-suites/:check_suite_id", "GET");
on("/repos/:owner/:repo/check-suites/:check_suite_id/check-runs", "GET");

// --- actions ---------------------------------------------------------------------------
on("/repos/:owner/:repo/actions/artifacts", "GET");
on("/repos/:owner/:repo/actions/artifacts/:artifact_id", "GET", "DELETE");
on("/repos/:owner/:repo/actions/artifacts/:artifact_id/:archive_format", "GET");
on("/repos/:owner/:repo/actions/jobs/:job_id", "GET");
on("/repos/:owner/:repo/actions/jobs/:job_id/logs", "GET");
on("/repos/:owner/:repo/actions/jobs/:job_id/rerun", "POST");
on("/repos/:owner/:repo/actions/runs", "GET");
on("/repos/:owner/:repo/actions/runs/:run_id", "GET", "DELETE");
on("/repos/:owner/:repo/actions/runs/:run_id/artifacts", "GET");
on("/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt_number", "GET");
on("/repos/:owner/:repo/actions/runs/:run_id/cancel", "POST");
on("/repos/:owner/:repo/actions/runs/:run_id/jobs", "GET");
on("/repos/:owner/:repo/actions/runs/:run_id/logs", "GET", "DELETE");
on("/repos/:owner/:repo/actions/runs/:run_id/rerun", "POST");
on("/repos/:owner/:repo/actions/secrets", "GET");
on("/repos/:owner/:repo/actions/secrets/public-key", "GET");
on("/repos/:owner/:repo/actions/secrets/:secret_name", "GET", "PUT", "DELETE");
on("/repos/:owner/:repo/actions/variables", "GET", "POST");
on("/repos/:owner/:repo/actions/variables/:name", "GET", "PATCH", "DELETE");
on("/repos/:owner/:repo/actions/workflows", "GET");
on("/repos/:owner/:repo/actions/workflows/:workflow_id", "GET");
on("/repos/:owner/:repo/actions/workflows/:workflow_id/dispatches", "POST");
on("/repos/:owner/:repo/actions/workflows/:workflow_id/runs", "GET");

// --- releases --------------------------------------------------------------------------
on("/repos/:owner/:repo/releases", "GET", "POST");
on("/repos/:owner/:repo/releases/latest", "GET");
on("/repos/:owner/:repo/releases/generate-notes", "POST");
on("/repos/:owner/:repo/releases/tags/:tag", "GET");
on("/repos/:owner/:repo/releases/assets/:asset_id", "GET", "PATCH", "DELETE");
on("/repos/:owner/:repo/releases/:release_id", "GET", "PATCH", "DELETE");
on("/repos/:owner/:repo/releases/:release_id/assets", "GET");

// --- git database (registered last) ----------------------------------------------------
on("/repos/:owner/:repo/git/blobs", "POST");
on("/repos/:owner/:repo/git/blobs/:file_sha", "GET");
on("/repos/:owner/:repo/git/commits", "POST");
on("/repos/:owner/:repo/git/commits/:commit_sha", "GET");
on("/repos/:owner/:repo/git/matching-refs/:ref", "GET");
on("/repos/:owner/:repo/git/ref/:ref", "GET");
on("/repos/:owner/:repo/git/refs", "POST");
on("/repos/:owner/:repo/git/refs/:ref", "PATCH", "DELETE");
on("/repos/:owner/:repo/git/tags", "POST");
on("/repos/:owner/:repo/git/tags/:tag_sha", "GET");
on("/repos/:owner/:repo/git/trees", "POST");
on("/repos/:owner/:repo/git/trees/:tree_sha", "GET");

/** The table, in registration order. */
export const routes: readonly Route[] = Object.freeze(table);
