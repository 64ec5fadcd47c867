import net from "node:net";

/**
 * A TCP proxy in front of Postgres that a test can cut and restore: the shared cluster itself is
 * never stopped (other test files run on it). While cut, the proxy does not listen (a new
 * connection is refused, as by a stopped server) and every open connection is closed.
 */
export interface TcpProxy {
  readonly port: number;
  /** Connections open through the proxy now. */
  readonly open: number;
  /** Stops listening: new connections are refused, open ones go on. */
  refuseNew(): Promise<void>;
  /** Stops listening and closes every connection. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let server = createServer();
  await listen(server, 0);
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy has no TCP address");
  const port = address.port;

  function createServer() {
    return net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      const pair = { client, upstream };
      pairs.add(pair);
      const end = () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on("error", end).on("close", end);
      upstream.on("error", end).on("close", end);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  function listen(s: net.Server, p: number) {
    return new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(p, "127.0.0.1", () => {
        s.off("error", reject);
        resolve();
      });
    });
  }

  // close() closes the listening socket at once (connects are refused from then on); its
  // 'close' event would wait for the open connections too, so it is not awaited.
  const refuseNew = async () => {
    if (server.listening) server.close();
  };
  const stop = async () => {
    await refuseNew();
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };

  return {
    port,
    get open() {
      return pairs.size;
    },
    refuseNew,
    cut: stop,
    async restore() {
      if (server.listening) return;
      server = createServer();
      await listen(server, port);
    },
    close: stop,
  };
}
