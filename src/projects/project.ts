/** A repository that receives reports, as the rest of Faultline sees it. */
export interface Project {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  installationId: number | null;
  repoId: number | null;
  ingestKey: string;
  previousKey: string | null;
  previousKeyExpiresAt: Date | null;
  suspended: boolean;
  createdAt: Date;
}

export interface ProjectEndpoints {
  reportUrl: string;
  sentryDsn: string;
}

export function endpointsFor(project: Project, publicUrl: string): ProjectEndpoints {
  const url = new URL(publicUrl);
  const base = publicUrl.replace(/\/+$/, "");
  // Sentry DSN: <protocol>://<public key>@<host>[/<path>]/<project id>; SDKs derive
  // <host>/<path>/api/<project id>/envelope/ from it.
  const path = url.pathname.replace(/\/+$/, "");
  return {
    reportUrl: `${base}/api/reports`,
    sentryDsn: `${url.protocol}//${project.ingestKey}@${url.host}${path}/${project.id}`,
  };
}
