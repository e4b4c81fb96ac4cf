import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobPrefillFor, runnerOf } from './editor-run.ts';

describe('Run as job', () => {
  it('runs Python with python3, shell with bash and JavaScript with node', () => {
    assert.deepEqual(['a.py', 'b.sh', 'c.js', 'D.PY', 'e.yaml', 'Makefile'].map(runnerOf), ['python3', 'bash', 'node', 'python3', null, null]);
  });

  it('prefills the job form from the script: its name, project and path, no datasets', () => {
    assert.deepEqual(jobPrefillFor('/Projects/vision/code/train resnet.py'), {
      name: 'train-resnet',
      project: 'vision',
      command: 'python3',
      args: ['/Projects/vision/code/train resnet.py'],
      datasets: [],
    });
    assert.equal(jobPrefillFor('/Projects/vision/code/_setup.sh')?.name, 'setup');
    assert.equal(jobPrefillFor('/Projects/vision/code/config.json'), null);
  });
});
