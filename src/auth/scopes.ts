/** OAuth scopes the API checks (spec §1). */
export const SCOPES = ['data:read', 'data:write', 'data:create', 'data:search', 'openid', 'user-profile:read'] as const;
export type Scope = (typeof SCOPES)[number];

/** The scopes a route may demand. */
export type RequiredScope = 'data:read' | 'data:write' | 'openid' | 'user-profile:read';

/** Parses a space-separated scope string, dropping empties and duplicates. */
export function parseScopeList(text: string): string[] {
  return [...new Set(text.split(/\s+/).filter(Boolean))];
}
