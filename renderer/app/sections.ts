/**
 * The workbench's sections in activity bar order, with what each will hold. Sections not
 * built yet say so plainly rather than showing controls that do nothing.
 */
import type { ViewId } from '../../protocol/desktop-api.ts';

export interface Section {
  id: ViewId;
  title: string;
  /** Two sentences on what will live here, for the empty state. */
  promise: [string, string];
  available: boolean;
}

export const sections: readonly Section[] = [
  {
    id: 'cluster',
    title: 'Cluster',
    promise: [
      'The clusters of this workspace; the hosts of the active one with their CPUs, memory, disks and GPUs.',
      'Live charts follow each host over the last five minutes; SSH hosts are added with a wizard.',
    ],
    available: true,
  },
  {
    id: 'projects',
    title: 'Projects',
    promise: [
      'Projects group datasets, jobs and models, with members who hold a role in each.',
      'Data Owners manage members and sharing; Data Scientists read data and run code.',
    ],
    available: true,
  },
  {
    id: 'datasets',
    title: 'Datasets',
    promise: [
      'Datasets live on a filesystem replicated across the hosts of the cluster.',
      'The dataset explorer browses, uploads, downloads and shares them between projects.',
    ],
    available: true,
  },
  {
    id: 'jobs',
    title: 'Jobs',
    promise: [
      'A GPU-aware job queue places work on the hosts and GPUs that fit it.',
      'Each job shows its placement, state timeline and live logs.',
    ],
    available: true,
  },
  {
    id: 'experiments',
    title: 'Experiments',
    promise: [
      'Experiments track runs with their parameters and metrics.',
      'Hyperparameter search will launch many runs and chart how they compare.',
    ],
    available: false,
  },
  {
    id: 'models',
    title: 'Models',
    promise: [
      'A model registry keeps trained models with their versions.',
      'One-click serving will put a version behind a REST endpoint on the cluster.',
    ],
    available: false,
  },
  {
    id: 'streams',
    title: 'Streams',
    promise: [
      'Kafka-compatible topics carry events between jobs, services and the outside world.',
      'Each topic will have an Avro schema in a registry and access rules per project.',
    ],
    available: false,
  },
  {
    id: 'terminal',
    title: 'Terminal',
    promise: [
      'Terminals open a shell on any host of the cluster.',
      'They run in the bottom panel next to the notifications, several at once.',
    ],
    available: true,
  },
  {
    id: 'editor',
    title: 'Editor',
    promise: [
      'Scripts and configuration of your projects, edited where they live on the cluster filesystem.',
      'Unsaved changes are kept as drafts and come back after a restart; a script runs as a job from here.',
    ],
    available: true,
  },
];

/** The section with id `id`; the Cluster section for an id this version does not know. */
export function sectionOf(id: ViewId): Section {
  return sections.find((s) => s.id === id) ?? sections[0]!;
}
