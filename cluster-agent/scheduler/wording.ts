/** How placement's messages name GPUs, hosts, labels and what a job asks for. */
import { formatSize } from '../../protocol/quantities.ts';
import type { JobDemand } from './demand.ts';

/** At most this many host names in one message; the rest are counted. */
const maxNamesShown = 5;

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "a, b and c", or "a, b, c, d, e and 3 more". */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  if (words.length > maxNamesShown) return `${words.slice(0, maxNamesShown).join(', ')} and ${words.length - maxNamesShown} more`;
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** "10 GPUs", "1 A100 GPU". */
export function gpuWords(count: number, demand: JobDemand): string {
  return plural(count, demand.model === undefined ? 'GPU' : `${demand.model} GPU`);
}

/** " with label infiniband", " with labels infiniband and nvme", or "". */
export function labelWords(demand: JobDemand): string {
  if (demand.labels.length === 0) return '';
  return ` with ${demand.labels.length === 1 ? 'label' : 'labels'} ${listWords(demand.labels)}`;
}

/** "16 CPUs and 64 GiB of memory". */
export function cpuMemoryWords(demand: JobDemand): string {
  return `${plural(demand.cpus, 'CPU')} and ${formatSize(demand.memoryBytes)} of memory`;
}

/**
 * What the job asks for, after a verb: "10 GPUs on one host", "8 GPUs on each of 4 hosts
 * with label infiniband", "12 GPUs across hosts", "4 hosts with 8 CPUs and 16 GiB of memory each".
 */
export function demandWords(demand: JobDemand): string {
  const labels = labelWords(demand);
  if (demand.shape === 'spread') return `${gpuWords(demand.gpus, demand)} across hosts${labels}`;
  if (demand.shape === 'gang') {
    if (demand.gpusPerHost === 0) return `${demand.hosts} hosts${labels} with ${cpuMemoryWords(demand)} each`;
    return `${gpuWords(demand.gpusPerHost, demand)} on each of ${demand.hosts} hosts${labels}`;
  }
  if (demand.gpus === 0) return `${cpuMemoryWords(demand)} on one host${labels}`;
  return `${gpuWords(demand.gpus, demand)} on one host${labels}`;
}
