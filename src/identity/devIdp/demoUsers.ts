// The demo people of the embedded development IdP. Fictional; no real credentials.

export interface DevIdpUser {
  /** Stable subject identifier at the dev IdP. */
  sub: string;
  name: string;
  email: string;
  org: string | null;
  department: string | null;
  groups: string[];
  kind: 'workforce' | 'vendor';
  /** One line for the sign-in page. */
  description: string;
}

export const DEMO_USERS: readonly DevIdpUser[] = Object.freeze([
  {
    sub: 'dr-rivera',
    name: 'Dr. Alex Rivera',
    email: 'alex.rivera@hospital.example',
    org: 'St. Example Hospital',
    department: 'radiology',
    groups: ['clinicians'],
    kind: 'workforce',
    description: 'Radiologist',
  },
  {
    sub: 'vendor-kim',
    name: 'Sam Kim',
    email: 'sam.kim@acme-imaging.example',
    org: 'Acme Imaging Service',
    department: null,
    groups: ['vendor-engineers'],
    kind: 'vendor',
    description: 'Vendor service engineer, Acme Imaging Service',
  },
  {
    sub: 'admin-lee',
    name: 'Jordan Lee',
    email: 'jordan.lee@hospital.example',
    org: 'St. Example Hospital',
    department: 'it',
    groups: ['radgate-admins', 'policy-admins', 'access-approvers', 'auditors'],
    kind: 'workforce',
    description: 'radgate administrator',
  },
  {
    sub: 'admin-okafor',
    name: 'Chris Okafor',
    email: 'chris.okafor@hospital.example',
    org: 'St. Example Hospital',
    department: 'it',
    groups: ['radgate-admins', 'policy-admins', 'access-approvers', 'auditors'],
    kind: 'workforce',
    description: 'Second administrator (for two-person approvals)',
  },
]);

/** IdP group → radgate role for the demo users (the dev IdP entry's roleMap). */
export const DEMO_ROLE_MAP: Readonly<Record<string, string>> = Object.freeze({
  clinicians: 'clinician',
  technologists: 'technologist',
  'vendor-engineers': 'vendor-engineer',
  'radgate-admins': 'admin',
  'policy-admins': 'policy-admin',
  'access-approvers': 'access-approver',
  auditors: 'auditor',
});

/** The claims a demo user presents in the ID token and at userinfo. */
export function demoUserClaims(user: DevIdpUser): Record<string, unknown> {
  return {
    sub: user.sub,
    name: user.name,
    email: user.email,
    email_verified: true,
    org: user.org,
    department: user.department,
    groups: [...user.groups],
    kind: user.kind,
  };
}
