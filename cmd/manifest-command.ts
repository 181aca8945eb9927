// `podlink manifest`: print the Kubernetes objects that run podlink on every node (YAML, for kubectl apply).
import { cidrFamily, DEFAULT_IMAGE, renderManifest } from '../lib/manifest/index.js';
import { formatStepError, StepError } from './step-report.js';

export interface ManifestCommandOptions {
  image?: string;
  mode: string;
  namespace: string;
  subnet?: string[];
  name?: string;
  network?: string;
  logLevel?: string;
  routing?: string;
  tunnelPort?: string;
  textfileDir?: string;
  serviceCidr?: string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function runManifestCommand(
  o: ManifestCommandOptions,
  version: string,
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): number {
  try {
    const step = 'check the manifest options';
    if (!DNS_LABEL.test(o.namespace))
      throw new StepError(
        step,
        `--namespace ${JSON.stringify(o.namespace)} is not a valid namespace name`,
        'use lower-case letters, digits and "-", e.g. --namespace kube-system',
      );
    if (o.name !== undefined && !DNS_LABEL.test(o.name))
      throw new StepError(step, `--name ${JSON.stringify(o.name)} is not a valid object name`, 'use lower-case letters, digits and "-"');
    if (o.image !== undefined && (o.image === '' || /\s/.test(o.image)))
      throw new StepError(
        step,
        `--image ${JSON.stringify(o.image)} is not an image reference`,
        'e.g. --image registry.example/podlink:0.1.0',
      );
    if (o.textfileDir !== undefined && !o.textfileDir.startsWith('/'))
      throw new StepError(
        step,
        '--textfile-dir must be an absolute host path',
        'e.g. --textfile-dir /var/lib/node_exporter/textfile_collector',
      );
    const checkCidrs = (flag: string, list: string[] = []) => {
      for (const s of list) {
        try {
          cidrFamily(s);
        } catch (e) {
          throw new StepError(step, `${flag}: ${(e as Error).message}`, (e as { hint?: string }).hint);
        }
      }
    };
    checkCidrs('--subnet', o.subnet);
    checkCidrs('--service-cidr', o.serviceCidr);
    const port = Number(o.tunnelPort);
    if (o.tunnelPort !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535))
      throw new StepError(step, `--tunnel-port ${o.tunnelPort} is not a UDP port (1-65535)`, 'e.g. --tunnel-port 8472');
    out(
      renderManifest({
        image: o.image ?? `${DEFAULT_IMAGE}:${version}`,
        mode: o.mode,
        namespace: o.namespace,
        name: o.name,
        subnets: o.subnet,
        networkName: o.network,
        logLevel: o.logLevel,
        routing: o.routing,
        tunnelPort: o.tunnelPort === undefined ? undefined : Number(o.tunnelPort),
        textfileDir: o.textfileDir,
        serviceCIDRs: o.serviceCidr,
      }),
    );
    return 0;
  } catch (e) {
    err(formatStepError('manifest', e));
    return 1;
  }
}
