import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROJECT_NAME_RULE, parseRole, projectAbilities, projectNameProblem, roleChoices, roleLabel, roleSummary, userNameProblem } from './project-rules.ts';

describe('project names', () => {
  it('accepts what the head accepts', () => {
    for (const name of ['vision', 'ab', 'nlp-2025', 'big_data', 'a'.repeat(63), '  vision  ']) {
      assert.equal(projectNameProblem(name), undefined, name);
    }
  });

  it('says the rule in every message about a bad name, with what is wrong first', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /^Give the project a name/],
      ['a', /^Too short/],
      ['a'.repeat(64), /^This name has 64 characters/],
      ['Vision', /^Use lowercase: vision\./],
      ['A', /^Use lowercase letters\./],
      ['2fast', /^Start with a letter/],
      ['-x', /^Start with a letter/],
      ['my project', /^No spaces in a project name/],
      ['a.b/c', /^No “\.”, “\/” in a project name/],
    ];
    for (const [name, lead] of cases) {
      const problem = projectNameProblem(name) ?? '';
      assert.match(problem, lead, name);
      assert.ok(problem.endsWith(PROJECT_NAME_RULE), `${name}: ${problem}`);
    }
    assert.match(PROJECT_NAME_RULE, /2–63 characters: lowercase letters, digits, - and _, starting with a letter/);
  });

  it('refuses a name the cluster has already', () => {
    assert.match(projectNameProblem('vision', ['nlp', 'vision']) ?? '', /exists already/);
  });
});

describe('user names', () => {
  it('follows the head: lowercase, starting with a letter or _', () => {
    assert.equal(userNameProblem('ana'), undefined);
    assert.equal(userNameProblem('_svc.bot-1'), undefined);
    assert.match(userNameProblem('') ?? '', /Enter the user name/);
    assert.match(userNameProblem('Ana') ?? '', /lowercase/);
    assert.match(userNameProblem('1ana') ?? '', /starting with a letter or _/);
    assert.match(userNameProblem('a'.repeat(65)) ?? '', /1–64 characters/);
  });
});

describe('roles', () => {
  it('offers the smaller role first, and names roles as people read them', () => {
    assert.deepEqual(roleChoices, ['data-scientist', 'data-owner']);
    assert.equal(roleLabel('data-owner'), 'Data Owner');
    assert.equal(roleLabel('data-scientist'), 'Data Scientist');
    assert.equal(roleLabel(null), 'No role');
  });

  it('parses picker values, titles and short words, and nothing else', () => {
    assert.equal(parseRole('data-owner'), 'data-owner');
    assert.equal(parseRole('Data Scientist'), 'data-scientist');
    assert.equal(parseRole(' owner '), 'data-owner');
    assert.equal(parseRole('data_scientist'), 'data-scientist');
    assert.equal(parseRole('admin'), null);
    assert.equal(parseRole(''), null);
  });

  it('sums up a role from the permissions table', () => {
    assert.match(roleSummary('data-owner'), /manage members and invites/);
    assert.match(roleSummary('data-owner'), /read the audit log/);
    assert.doesNotMatch(roleSummary('data-scientist'), /manage members|audit|import/);
    assert.match(roleSummary('data-scientist'), /read data, write data, run code/);
  });
});

describe('what a role may do on screen', () => {
  const admin = { admin: true };
  const user = { admin: false };

  it('lets a Data Owner manage members, invite and read the audit log', () => {
    assert.deepEqual(projectAbilities({ myRole: 'data-owner' }, user), {
      addMembers: true,
      changeRoles: true,
      removeMembers: true,
      invite: true,
      readAudit: true,
    });
  });

  it('gives a Data Scientist none of those', () => {
    assert.deepEqual(projectAbilities({ myRole: 'data-scientist' }, user), {
      addMembers: false,
      changeRoles: false,
      removeMembers: false,
      invite: false,
      readAudit: false,
    });
  });

  it('lets an admin without a role add members, and nothing else, as the head does', () => {
    assert.deepEqual(projectAbilities({ myRole: null }, admin), {
      addMembers: true,
      changeRoles: false,
      removeMembers: false,
      invite: false,
      readAudit: false,
    });
    assert.equal(projectAbilities({ myRole: 'data-scientist' }, admin).addMembers, true);
    assert.equal(projectAbilities({ myRole: 'data-scientist' }, admin).removeMembers, false);
    assert.equal(projectAbilities({ myRole: null }, null).addMembers, false);
  });
});
