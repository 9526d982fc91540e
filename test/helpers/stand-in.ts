import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface StandInRequest {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface StandIn {
  url: string;
  requests: StandInRequest[];
  close(): Promise<void>;
}

/**
 * A local HTTP server standing in for an outside service (OSM, an image host). `answer` gets every
 * request, already read, and returns the status and JSON body to send.
 */
export async function startStandIn(answer: (request: StandInRequest) => { status: number; body: unknown }): Promise<StandIn> {
  const requests: StandInRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "GET", url: new URL(req.url ?? "/", "http://stand-in"), headers: req.headers, body };
      requests.push(request);
      const reply = answer(request);
      res.writeHead(reply.status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SmtpStandIn {
  port: number;
  /** Every email received: envelope recipients and the raw message. */
  delivered: { to: string[]; data: string }[];
  close(): Promise<void>;
}

/** A local SMTP server standing in for the mail relay (TM_SMTP_HOST/TM_SMTP_PORT). */
export async function startSmtpStandIn(): Promise<SmtpStandIn> {
  const delivered: SmtpStandIn["delivered"] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let data = "";
      stream.on("data", (chunk) => (data += chunk));
      stream.on("end", () => {
        delivered.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  return {
    port: (smtp.server.address() as AddressInfo).port,
    delivered,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
