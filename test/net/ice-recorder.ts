/**
 * A page init script that records every RTCPeerConnection a viewer makes: whether it connected, and the
 * candidate pair it connected over (host, srflx, prflx or relay; addresses), read when it connects.
 */
export interface IceConnection {
  /** The last connection state seen. */
  state: string;
  /** The other side answered (WebTorrent trackers hand out offers that mostly stay unanswered). */
  negotiated: boolean;
  connected: boolean;
  local: { type: string; address: string; port: number } | null;
  remote: { type: string; address: string; port: number } | null;
}

export interface IceSummary {
  /** Peer connections that were negotiated with another viewer (and so tried to connect). */
  attempted: number;
  connected: number;
  /** Connected over a TURN relay (either end's candidate is `relay`). */
  relayed: number;
}

const recorder = () => {
  const w = window as unknown as { __ice: IceConnection[] };
  w.__ice = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      const record: IceConnection = { state: 'new', negotiated: false, connected: false, local: null, remote: null };
      w.__ice.push(record);
      const setRemote = this.setRemoteDescription.bind(this);
      this.setRemoteDescription = (description: RTCSessionDescriptionInit) => {
        record.negotiated = true;
        return setRemote(description);
      };
      this.addEventListener('connectionstatechange', async () => {
        record.state = this.connectionState;
        if (this.connectionState !== 'connected' || record.connected) return;
        record.connected = true;
        const stats = await this.getStats();
        let pair: RTCIceCandidatePairStats | undefined;
        stats.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
          if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
        });
        if (!pair) return;
        const describe = (id: string) => {
          const c = stats.get(id) as { candidateType: string; address: string; port: number };
          return { type: c.candidateType, address: c.address, port: c.port };
        };
        record.local = describe(pair.localCandidateId);
        record.remote = describe(pair.remoteCandidateId);
      });
    }
  } as typeof RTCPeerConnection;
};

/** For `openViewer`'s `initScript`. */
export const ICE_RECORDER = `(${recorder.toString()})();`;

export function summarizeIce(connections: IceConnection[]): IceSummary {
  const connected = connections.filter((c) => c.connected);
  return {
    attempted: connections.filter((c) => c.negotiated).length,
    connected: connected.length,
    relayed: connected.filter((c) => c.local?.type === 'relay' || c.remote?.type === 'relay').length,
  };
}
