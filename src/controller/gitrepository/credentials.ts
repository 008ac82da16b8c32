// How a GitRepository reaches its remote, read in Flux's order: the proxy of spec.proxySecretRef, then the
// auth of spec.secretRef, then the credentials spec.provider adds (a GitHub App installation token). Every
// failure is a FetchFailed condition with Flux's reason; a Secret's values never appear in a message.
import { ConditionType, Reason } from "../../api/condition.ts";
import { GitProvider, type GitRepository } from "../../api/gitrepository.ts";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import { authFromSecret, type GitAuth, type HttpAuth, type SecretData } from "../../source/git/auth.ts";
import {
  ACCESS_TOKEN_USERNAME,
  type GitHubTokenCache,
  gitHubAppFromSecret,
  gitHubAppToken,
  hasGitHubAppData,
} from "../../source/git/github-app.ts";
import { type ProxyConfig, proxyFromSecret } from "../../source/git/proxy.ts";
import { fetchFailure, ReconcileFailure } from "./failure.ts";
import { readSecretData } from "./source.ts";

/** What openTransport() needs besides the URL. */
export interface Credentials {
  /** undefined: an anonymous http(s) remote. */
  auth: GitAuth | undefined;
  proxy: ProxyConfig | undefined;
}

/** Options of readCredentials(). */
export interface CredentialsOptions {
  /** Where GitHub App installation tokens are cached (default: the process-wide cache). */
  tokenCache?: GitHubTokenCache;
  /** Bounds the token exchange (the GitRepository's timeout). */
  signal?: AbortSignal;
}

/** Reads the proxy, the auth Secret and the provider's credentials of a GitRepository. */
export async function readCredentials(
  client: KubeClient,
  obj: GitRepository,
  opts: CredentialsOptions = {},
): Promise<Credentials> {
  const proxy = await readProxy(client, obj);
  const namespace = obj.metadata.namespace ?? "";
  const ref = obj.spec.secretRef;
  const data = ref ? await readSecret(client, namespace, ref.name, "") : undefined;
  let auth: GitAuth;
  try {
    auth = authFromSecret(obj.spec.url, data);
  } catch (err) {
    throw fetchFailure(err);
  }
  const withProvider = await providerAuth(obj, auth, data, proxy, opts);
  // Without a secretRef or provider an http(s) remote is anonymous; an ssh one fails in openTransport.
  const anonymous = data === undefined && withProvider === auth && auth.kind === "http";
  return { auth: anonymous ? undefined : withProvider, proxy };
}

async function readProxy(client: KubeClient, obj: GitRepository): Promise<ProxyConfig | undefined> {
  const ref = obj.spec.proxySecretRef;
  if (!ref) return undefined;
  const namespace = obj.metadata.namespace ?? "";
  const prefix = "failed to configure proxy options: ";
  const data = await readSecret(client, namespace, ref.name, prefix);
  try {
    return proxyFromSecret(`${namespace}/${ref.name}`, data);
  } catch (err) {
    throw failure("retry", Reason.AuthenticationFailed, `${prefix}${(err as Error).message}`, err);
  }
}

async function readSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  prefix: string,
): Promise<SecretData> {
  try {
    return await readSecretData(client, namespace, name);
  } catch (err) {
    const why = isNotFound(err) ? `secrets "${name}" not found` : (err as Error).message;
    throw failure(
      "retry",
      Reason.AuthenticationFailed,
      `${prefix}failed to get secret '${namespace}/${name}': ${why}`,
      err,
    );
  }
}

// The credentials spec.provider contributes, as Flux's getAuthOpts switches on it.
async function providerAuth(
  obj: GitRepository,
  auth: GitAuth,
  data: SecretData | undefined,
  proxy: ProxyConfig | undefined,
  opts: CredentialsOptions,
): Promise<GitAuth> {
  const provider = obj.spec.provider ?? GitProvider.Generic;
  const secret = `${obj.metadata.namespace ?? ""}/${obj.spec.secretRef?.name ?? ""}`;
  switch (provider) {
    case GitProvider.Azure:
    case GitProvider.AWS:
      // Workload identity needs the cloud's token service, which driftless does not talk to: refuse
      // clearly instead of fetching anonymously.
      throw failure(
        "stalled",
        Reason.UnsupportedProvider,
        `provider '${provider}' is not supported by driftless: it needs the cloud's workload identity token service; use spec.secretRef with credentials and the generic provider`,
      );
    case GitProvider.GitHub: {
      const missing = "secretRef with github app data must be specified when provider is set to github";
      if (!obj.spec.secretRef) throw failure("stalled", Reason.InvalidProviderConfiguration, missing);
      if (!hasGitHubAppData(data)) throw failure("retry", Reason.InvalidProviderConfiguration, missing);
      const http: HttpAuth | undefined = auth.kind === "http" ? auth : undefined;
      try {
        const app = gitHubAppFromSecret(data);
        const token = await gitHubAppToken(app, {
          ...(http?.ca !== undefined ? { ca: http.ca } : {}),
          ...(http?.cert !== undefined && http.key !== undefined ? { cert: http.cert, key: http.key } : {}),
          ...(proxy ? { proxy } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.tokenCache ? { cache: opts.tokenCache } : {}),
        });
        if (auth.kind !== "http") return auth;
        const { bearerToken: _drop, ...rest } = auth;
        return { ...rest, username: ACCESS_TOKEN_USERNAME, password: token.token };
      } catch (err) {
        throw failure(
          "retry",
          Reason.AuthenticationFailed,
          `failed to configure authentication options: ${(err as Error).message}`,
          err,
        );
      }
    }
    default:
      if (hasGitHubAppData(data)) {
        throw failure(
          "retry",
          Reason.InvalidProviderConfiguration,
          `secretRef '${secret}' has github app data but provider is not set to github`,
        );
      }
      return auth;
  }
}

function failure(
  kind: "retry" | "stalled",
  reason: string,
  message: string,
  cause?: unknown,
): ReconcileFailure {
  return new ReconcileFailure(
    { kind, condition: ConditionType.FetchFailed, reason, message },
    cause === undefined ? undefined : { cause },
  );
}
