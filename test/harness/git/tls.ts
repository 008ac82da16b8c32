// A throwaway certificate authority for the HTTPS git server, made with the openssl CLI: a CA, a server
// certificate for 127.0.0.1/localhost and a client certificate (for mutual TLS), all signed by the CA.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./exec.ts";

/** Paths of the generated PEM files. */
export interface TlsFiles {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

async function signed(dir: string, name: string, subject: string, ext: string): Promise<void> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
  await run("openssl", ["req", "-new", "-key", key, "-subj", subject, "-out", csr]);
  await writeFile(extFile, ext);
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    join(dir, "ca.crt"),
    "-CAkey",
    join(dir, "ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-sha256",
    "-extfile",
    extFile,
    "-out",
    join(dir, `${name}.crt`),
  ]);
}

/** Generates a CA, a server certificate for 127.0.0.1 and localhost, and a client certificate into dir. */
export async function generateTls(dir: string): Promise<TlsFiles> {
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    join(dir, "ca.key"),
    "-out",
    join(dir, "ca.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=driftless test git CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await signed(
    dir,
    "server",
    "/CN=127.0.0.1",
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  await signed(
    dir,
    "client",
    "/CN=driftless-test-client",
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
  );
  return {
    caCert: join(dir, "ca.crt"),
    serverCert: join(dir, "server.crt"),
    serverKey: join(dir, "server.key"),
    clientCert: join(dir, "client.crt"),
    clientKey: join(dir, "client.key"),
  };
}
