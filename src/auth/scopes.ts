/** OAuth scopes the API checks (spec §1). */
export const SCOPES = ['data:read', 'data:write', 'data:create', 'data:search', 'openid', 'user-profile:read'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * OpenID Connect's standard scopes (OIDC Core §5.4, §11), accepted from every client beside the APS
 * scopes: generic relying parties ask for `openid profile email` (issue 22). `openid` is also an APS scope.
 */
export const STANDARD_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** The scopes a route may demand. */
export type RequiredScope = 'data:read' | 'data:write' | 'openid' | 'user-profile:read';

/** Parses a space-separated scope string, dropping empties and duplicates. */
export function parseScopeList(text: string): string[] {
  return [...new Set(text.split(/\s+/).filter(Boolean))];
}
