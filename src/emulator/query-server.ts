import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Ec2Error } from './errors.js';
import { QueryParams } from './query-params.js';
import { ec2Error, ec2Response, type XmlNode } from './xml.js';

export interface CallRecord {
  action: string;
  params: Record<string, string>;
  at: number;
  error?: string;
}

export type ActionHandler = (params: QueryParams) => XmlNode;

export interface QueryApi {
  accessKeyId: string;
  actions: Record<string, ActionHandler | undefined>;
  calls: CallRecord[];
  faults: Map<string, { code: string; remaining: number }[]>;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Credentials are checked by access key id only: signatures are the SDK's business, not the emulator's. */
function signedAccessKey(request: IncomingMessage): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? '')?.[1];
}

function injectedFault(api: QueryApi, action: string): Ec2Error | undefined {
  const pending = api.faults.get(action)?.find((fault) => fault.remaining > 0);
  if (!pending) return undefined;
  pending.remaining -= 1;
  return new Ec2Error(pending.code, `Injected fault: ${pending.code}`);
}

/** The EC2 Query protocol over HTTP: form-encoded `Action=…&Version=…` in, XML out. */
export function startQueryServer(api: QueryApi, port = 0): Promise<Server> {
  const server = createServer(async (request, response) => {
    const requestId = randomUUID();
    const params = Object.fromEntries(new URLSearchParams(await body(request)));
    const action = params.Action ?? '';
    const record: CallRecord = { action, params, at: Date.now() };
    api.calls.push(record);
    try {
      if (signedAccessKey(request) !== api.accessKeyId)
        throw new Ec2Error(
          'AuthFailure',
          'AWS was not able to validate the provided access credentials',
        );
      const fault = injectedFault(api, action);
      if (fault) throw fault;
      const handler = api.actions[action];
      if (!handler)
        throw new Ec2Error(
          'InvalidAction',
          `The action ${action} is not valid for this web service.`,
        );
      const xml = ec2Response(action, requestId, handler(new QueryParams(params)));
      response.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' }).end(xml);
    } catch (error) {
      const failure =
        error instanceof Ec2Error ? error : new Ec2Error('InternalError', (error as Error).message);
      record.error = failure.code;
      response
        .writeHead(failure.status, { 'content-type': 'text/xml;charset=UTF-8' })
        .end(ec2Error(failure.code, failure.message, requestId));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
