/**
 * How the head reaches the block stores of the cluster's workers: its own (when the head
 * is also a worker) in-process, every other one over its cluster listener through
 * `PeerClient`. Hosts and their addresses come from the head's registry, so a worker is
 * dialled at the address it registered with and known by its hostId.
 */
import type { Readable } from 'node:stream';
import type { PipelineTarget } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { PeerClient } from './peer-client.ts';
import { gatherWrites } from './gathered-writes.ts';
import { openPipeline, type BlockSink, type PipelineHost } from './pipeline.ts';
import type { ReadBuffers } from './read-buffers.ts';

export interface BlockTransportDeps {
  /** This agent's own store, when it is a worker too. */
  local: PipelineHost | undefined;
  peers: PeerClient;
  /** The registry's hosts. */
  hosts: () => ClusterHost[];
}

export class BlockTransport {
  private readonly deps: BlockTransportDeps;

  constructor(deps: BlockTransportDeps) {
    this.deps = deps;
  }

  /** The registered hosts that hold blocks. */
  workers(): ClusterHost[] {
    return this.deps.hosts().filter((host) => host.roles.includes('worker'));
  }

  /** Whether `hostId` is this agent's own store. */
  isLocal(hostId: string): boolean {
    return this.deps.local?.hostId === hostId;
  }

  /** Opens a write pipeline through `targets`, in order; pieces go out gathered into writes of about 1 MiB. */
  async openWrite(targets: readonly PipelineTarget[], blockId: string, maxSize: number): Promise<BlockSink> {
    const [first, ...rest] = targets;
    if (first === undefined) throw new Error('A block needs at least one host.');
    const local = this.deps.local;
    if (local !== undefined && first.hostId === local.hostId) return openPipeline(local, blockId, rest, maxSize);
    return gatherWrites(this.deps.peers.putBlock(first, blockId, rest, maxSize));
  }

  /**
   * Opens a replica for reading from `offset` (verified against `sha256` by the host
   * holding it); a replica on this host is read into `buffers` when given.
   */
  async openRead(target: PipelineTarget, blockId: string, sha256: string, offset: number, buffers?: ReadBuffers): Promise<Readable> {
    const local = this.deps.local;
    if (local !== undefined && target.hostId === local.hostId) return (await local.store.read(blockId, { sha256, offset, buffers })).stream;
    return this.deps.peers.getBlock(target, blockId, { sha256, offset });
  }

  /** Deletes blocks on `hostId`; resolves with how many it had. */
  async deleteBlocks(hostId: string, blockIds: readonly string[]): Promise<number> {
    const local = this.deps.local;
    if (local !== undefined && hostId === local.hostId) {
      let deleted = 0;
      for (const id of blockIds) if (await local.store.delete(id)) deleted += 1;
      return deleted;
    }
    const host = this.deps.hosts().find((h) => h.hostId === hostId);
    if (host === undefined) throw new HopsError('HOST_NOT_FOUND', `The cluster has no host ${hostId}.`);
    return this.deps.peers.deleteBlocks({ hostId, address: host.address }, blockIds);
  }
}
