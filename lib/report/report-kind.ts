/**
 * Which report API `-o policyreport` writes: `policyreport` is wgpolicyk8s.io/v1alpha2 PolicyReport /
 * ClusterPolicyReport, `openreports` is openreports.io/v1alpha1 Report / ClusterReport (the successor API
 * audit-scanner also writes).
 */
export type ReportKind = 'policyreport' | 'openreports';
export const REPORT_KINDS: readonly ReportKind[] = ['policyreport', 'openreports'];
