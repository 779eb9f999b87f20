/*
 * The RPC client and its connection state, handed to every view through context: the app owns
 * one client for the life of a login.
 */
import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import type { ConnectionState, RpcClient } from "../rpc/client.js";

export const ClientContext = createContext<RpcClient | null>(null);

export function useClient(): RpcClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error("useClient() outside <ClientContext.Provider>");
  return client;
}

/** The connection state, re-rendering on each change. */
export function useConnection(): ConnectionState {
  const client = useClient();
  const [state, setState] = useState(client.state);
  useEffect(() => {
    setState(client.state);
    return client.onState(setState);
  }, [client]);
  return state;
}
