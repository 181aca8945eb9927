// A kubelet-shaped CRI client: runtime.v1 RuntimeService over containerd's gRPC socket, with
// @grpc/grpc-js and our own subset of the service's wire contract (runtime-v1.proto).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'runtime-v1.proto');

type Call = (req: object, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void;

export class CriClient {
  private readonly svc: grpc.Client & Record<string, Call>;

  constructor(socket: string) {
    const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: { RuntimeService: grpc.ServiceClientConstructor } } };
    this.svc = new pkg.runtime.v1.RuntimeService(`unix://${socket}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, Call>;
  }

  call<T = Record<string, unknown>>(method: string, req: object): Promise<T> {
    return new Promise((resolve, reject) => {
      const fn = this.svc[method];
      if (!fn) return reject(new Error(`no CRI method ${method}`));
      fn.call(this.svc, req, (err, res) => (err ? reject(err) : resolve(res as T)));
    });
  }

  close(): void {
    this.svc.close();
  }
}
