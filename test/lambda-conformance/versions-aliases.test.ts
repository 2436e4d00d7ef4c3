/**
 * Versions, aliases, configuration, tags and code download judged by AWS's own clients: boto3 and
 * the AWS CLI from Debian, and the JS SDK. A benchmark of a version or alias must run that code,
 * never `$LATEST` by accident.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { scratchDir, startPlatform } from '../support/platform.ts';
import { awsErrorCode, awsLambda } from './support/aws-cli.ts';
import { runBoto3 } from './support/boto3.ts';
import { checkClients, requireClients } from './support/clients.ts';

const clients = checkClients('test/lambda-conformance/versions-aliases.test.ts');

/** A handler that says which code ran and which version and initialization type it ran as. */
function codeZip(mark: string): Buffer {
  const source = `export const handler = async (event, context) => ({ mark: '${mark}', version: process.env.AWS_LAMBDA_FUNCTION_VERSION, contextVersion: context.functionVersion, arn: context.invokedFunctionArn, init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE });\n`;
  return Buffer.from(zipSync({ 'index.mjs': strToU8(source), 'other.mjs': strToU8(source.replace('handler', 'other').replace(`'${mark}'`, `'${mark}-other'`)) }));
}

describe.skipIf(clients.skip)(`versions and aliases through AWS's clients${clients.skip ? ` (skipped: ${clients.missing})` : ''}`, () => {
  let platform: LocalPlatform;
  const scratch = scratchDir('versions-aliases');
  const zipA = path.join(scratch, 'a.zip');
  const zipB = path.join(scratch, 'b.zip');

  beforeAll(async () => {
    requireClients(clients);
    writeFileSync(zipA, codeZip('A'));
    writeFileSync(zipB, codeZip('B'));
    platform = await startPlatform();
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('publishes versions (each keeping its architecture), routes aliases and qualified invokes (`fn:$LATEST` too) to the right code, lists versions and aliases page by page, and refuses qualifiers that do not exist', async () => {
    const out = await runBoto3<Record<string, unknown>>(
      platform.url,
      `
def err(fn):
    f = failure(fn)
    return f if f == 'ok' else f"{f['code']} {f['status']}"
def run(name='ver', **kw):
    r = client.invoke(FunctionName=name, **kw)
    return {'executed': r['ExecutedVersion'], 'body': json.loads(r['Payload'].read())}
def pages(list_op, key, field, max_items, **kw):
    # Each page as [its items, whether it gave a NextMarker], following Marker as a client does.
    out, marker = [], {}
    while True:
        r = list_op(MaxItems=max_items, **marker, **kw)
        out.append([[x[field] for x in r[key]], 'NextMarker' in r])
        if 'NextMarker' not in r:
            return out
        marker = {'Marker': r['NextMarker']}
zipA = open(ENV['ZIP_A'], 'rb').read()
zipB = open(ENV['ZIP_B'], 'rb').read()
created = client.create_function(FunctionName='ver', Runtime='nodejs20.x', Role='arn:aws:iam::123456789012:role/mine', Handler='index.handler',
    Code={'ZipFile': zipA}, Publish=True, Architectures=['arm64'], TracingConfig={'Mode': 'Active'}, Tags={'team': 'bench'})
client.get_waiter('function_active_v2').wait(FunctionName='ver')
client.get_waiter('published_version_active').wait(FunctionName='ver', Qualifier='1')
updated = client.update_function_code(FunctionName='ver', ZipFile=zipB, Publish=True, Architectures=['x86_64'])
client.get_waiter('function_updated_v2').wait(FunctionName='ver')
client.get_waiter('function_updated').wait(FunctionName='ver')
same = client.publish_version(FunctionName='ver')
alias = client.create_alias(FunctionName='ver', Name='prod', FunctionVersion='1')
canary = client.create_alias(FunctionName='ver', Name='canary', FunctionVersion='1', RoutingConfig={'AdditionalVersionWeights': {'2': 1.0}})
emit({
  'created': [created['Version'], created['FunctionArn'], created['Role'], created['Architectures'], created['TracingConfig']],
  'updated': [updated['Version'], updated['FunctionArn'], updated['Architectures']],
  'architectures': [client.get_function_configuration(FunctionName='ver', Qualifier=q)['Architectures'] for q in ['1', '2', '$LATEST']],
  'republished': same['Version'],
  'versions': [v['Version'] for v in client.list_versions_by_function(FunctionName='ver')['Versions']],
  'alias': [alias['AliasArn'], alias['FunctionVersion'], canary['RoutingConfig']],
  'latest': run(), 'colonLatest': run(Qualifier='$LATEST'), 'nameLatest': run('ver:$LATEST'),
  'arnLatest': run('arn:aws:lambda:us-east-1:000000000000:function:ver:$LATEST')['executed'],
  'getNameLatest': [client.get_function_configuration(FunctionName='ver:$LATEST')['Version'], client.get_function(FunctionName='ver:$LATEST')['Configuration']['Version']], 'v1': run(Qualifier='1'), 'v2': run(Qualifier='2'),
  'prod': run(Qualifier='prod'), 'byName': client.invoke(FunctionName='ver:prod')['ExecutedVersion'],
  'byArn': client.invoke(FunctionName='arn:aws:lambda:us-east-1:000000000000:function:ver:1')['ExecutedVersion'],
  'canary': [run(Qualifier='canary')['executed'] for _ in range(3)],
  'missingVersion': err(lambda: client.invoke(FunctionName='ver', Qualifier='7')),
  'missingAlias': err(lambda: client.invoke(FunctionName='ver', Qualifier='nope')),
  'mismatch': err(lambda: client.invoke(FunctionName='ver:1', Qualifier='2')),
  'getV1': client.get_function_configuration(FunctionName='ver', Qualifier='1')['Version'],
  'deleteUsed': err(lambda: client.delete_function(FunctionName='ver', Qualifier='1')),
  'deleteLatest': err(lambda: client.delete_function(FunctionName='ver', Qualifier='$LATEST')),
  'prodTo2': client.update_alias(FunctionName='ver', Name='prod', FunctionVersion='2')['FunctionVersion'],
  'prodAfter': run(Qualifier='prod')['executed'],
  'aliasRevision': err(lambda: client.update_alias(FunctionName='ver', Name='prod', FunctionVersion='1', RevisionId='bogus')),
  'aliases': sorted(a['Name'] for a in client.list_aliases(FunctionName='ver')['Aliases']),
  'aliasesOf2': sorted(a['Name'] for a in client.list_aliases(FunctionName='ver', FunctionVersion='2')['Aliases']),
  'versionPages': pages(client.list_versions_by_function, 'Versions', 'Version', 2, FunctionName='ver'),
  'aliasPages': pages(client.list_aliases, 'Aliases', 'Name', 1, FunctionName='ver'),
  'deleteCanary': client.delete_alias(FunctionName='ver', Name='canary')['ResponseMetadata']['HTTPStatusCode'],
  'delete1': client.delete_function(FunctionName='ver', Qualifier='1')['ResponseMetadata']['HTTPStatusCode'],
  'after1': err(lambda: client.invoke(FunctionName='ver', Qualifier='1')),
  'still': run()['body']['mark'],
})
`,
      { env: { ZIP_A: zipA, ZIP_B: zipB } },
    );
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:ver';
    expect(out.created).toEqual(['1', `${arn}:1`, 'arn:aws:iam::123456789012:role/mine', ['arm64'], { Mode: 'Active' }]);
    expect(out.updated).toEqual(['2', `${arn}:2`, ['x86_64']]);
    // A version keeps the architecture it was published with.
    expect(out.architectures).toEqual([['arm64'], ['x86_64'], ['x86_64']]);
    expect(out.republished).toBe('2');
    expect(out.versions).toEqual(['$LATEST', '1', '2']);
    expect(out.alias).toEqual([`${arn}:prod`, '1', { AdditionalVersionWeights: { '2': 1 } }]);
    expect(out.latest).toEqual({ executed: '$LATEST', body: { mark: 'B', version: '$LATEST', contextVersion: '$LATEST', arn, init: 'on-demand' } });
    expect(out.colonLatest).toEqual({ executed: '$LATEST', body: { mark: 'B', version: '$LATEST', contextVersion: '$LATEST', arn: `${arn}:$LATEST`, init: 'on-demand' } });
    expect(out.nameLatest).toEqual(out.colonLatest);
    expect([out.arnLatest, out.getNameLatest]).toEqual(['$LATEST', ['$LATEST', '$LATEST']]);
    expect(out.v1).toEqual({ executed: '1', body: { mark: 'A', version: '1', contextVersion: '1', arn: `${arn}:1`, init: 'on-demand' } });
    expect(out.v2).toEqual({ executed: '2', body: { mark: 'B', version: '2', contextVersion: '2', arn: `${arn}:2`, init: 'on-demand' } });
    expect(out.prod).toEqual({ executed: '1', body: { mark: 'A', version: '1', contextVersion: '1', arn: `${arn}:prod`, init: 'on-demand' } });
    expect([out.byName, out.byArn]).toEqual(['1', '1']);
    // Weight 1.0 on version 2: every call through the canary runs version 2.
    expect(out.canary).toEqual(['2', '2', '2']);
    expect([out.missingVersion, out.missingAlias, out.mismatch]).toEqual(['ResourceNotFoundException 404', 'ResourceNotFoundException 404', 'InvalidParameterValueException 400']);
    expect(out.getV1).toBe('1');
    expect([out.deleteUsed, out.deleteLatest]).toEqual(['ResourceConflictException 409', 'InvalidParameterValueException 400']);
    expect([out.prodTo2, out.prodAfter, out.aliasRevision]).toEqual(['2', '2', 'PreconditionFailedException 412']);
    expect([out.aliases, out.aliasesOf2]).toEqual([['canary', 'prod'], ['prod']]);
    expect(out.versionPages).toEqual([[['$LATEST', '1'], true], [['2'], false]]);
    // Lambda does not say in which order aliases are listed: one per page, each once.
    const aliasPages = out.aliasPages as [string[], boolean][];
    expect(aliasPages.map(([names, more]) => [names.length, more])).toEqual([[1, true], [1, false]]);
    expect(aliasPages.flatMap(([names]) => names).sort()).toEqual(['canary', 'prod']);
    expect([out.deleteCanary, out.delete1, out.after1, out.still]).toEqual([204, 204, 'ResourceNotFoundException 404', 'B']);
  });

  it('honours every configuration field it can, records the rest, refuses what it cannot, and checks RevisionId and DryRun', async () => {
    const create = await awsLambda(platform.url, ['create-function', '--function-name', 'cfg', '--runtime', 'nodejs20.x', '--role', 'arn:aws:iam::1:role/r', '--handler', 'index.handler', '--zip-file', `fileb://${zipA}`]);
    expect(create.code, create.stderr).toBe(0);
    const revision = (create.json as { RevisionId: string }).RevisionId;
    const stale = await awsLambda(platform.url, ['update-function-configuration', '--function-name', 'cfg', '--timeout', '9', '--revision-id', 'bogus']);
    expect([stale.code, awsErrorCode(stale.stderr)]).toEqual([254, 'PreconditionFailedException']);
    const set = await awsLambda(platform.url, ['update-function-configuration', '--function-name', 'cfg', '--handler', 'other.other', '--runtime', 'nodejs18.x', '--revision-id', revision, '--ephemeral-storage', 'Size=1024', '--tracing-config', 'Mode=Active', '--role', 'arn:aws:iam::1:role/other']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.json).toMatchObject({ Handler: 'other.other', Runtime: 'nodejs18.x', EphemeralStorage: { Size: 1024 }, TracingConfig: { Mode: 'Active' }, Role: 'arn:aws:iam::1:role/other' });
    const ran = await awsLambda(platform.url, ['invoke', '--function-name', 'cfg', path.join(scratch, 'cfg.json')]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(scratch, 'cfg.json'), 'utf8')).mark).toBe('A-other');
    // The rest in one boto3 process: each AWS CLI run costs 1-3 s of start-up.
    const out = await runBoto3<Record<string, unknown>>(
      platform.url,
      `
def err(fn):
    f = failure(fn)
    return [f['code'], f['message']]
def mark():
    return json.loads(client.invoke(FunctionName='cfg')['Payload'].read())['mark']
bad = err(lambda: client.update_function_configuration(FunctionName='cfg', Runtime='nodejs99.x'))
java = err(lambda: client.update_function_configuration(FunctionName='cfg', Runtime='java17'))
layers = err(lambda: client.update_function_configuration(FunctionName='cfg', Layers=['arn:aws:lambda:us-east-1:1:layer:x:1']))
before = client.get_function_configuration(FunctionName='cfg')['CodeSha256']
dry = client.update_function_code(FunctionName='cfg', ZipFile=open(ENV['ZIP_B'], 'rb').read(), DryRun=True)['CodeSha256']
after = client.get_function_configuration(FunctionName='cfg')['CodeSha256']
emit({'bad': bad[0], 'java': java[0], 'layers': layers, 'unchanged': before == after, 'dryDiffers': dry != before, 'mark': mark()})
`,
      { env: { ZIP_B: zipB } },
    );
    expect(out).toEqual({
      bad: 'ValidationException',
      java: 'InvalidParameterValueException',
      layers: ['InvalidParameterValueException', 'field "Layers" is not supported: the local platform cannot honour it (docs/lambda-fidelity.md)'],
      unchanged: true,
      dryDiffers: true,
      mark: 'A-other',
    });
  }, 120_000); // four runs of the AWS CLI, each 1-3 s to start on a busy machine

  it('paginates ListFunctions, downloads Code.Location, and keeps tags', async () => {
    for (const n of [1, 2, 3]) platform.create({ name: `page-${n}`, runtime: 'nodejs', handler: 'index.handler' }, { zip: codeZip(`p${n}`) });
    const out = await runBoto3<Record<string, unknown>>(
      platform.url,
      `
import io, urllib.request, zipfile
pages = [[f['FunctionName'] for f in p['Functions']] for p in client.get_paginator('list_functions').paginate(PaginationConfig={'PageSize': 2})]
first = client.list_functions(MaxItems=2)
location = client.get_function(FunctionName='page-1')['Code']['Location']
names = sorted(zipfile.ZipFile(io.BytesIO(urllib.request.urlopen(location).read())).namelist())
client.tag_resource(Resource='arn:aws:lambda:us-east-1:000000000000:function:page-1', Tags={'a': '1', 'b': '2'})
client.untag_resource(Resource='arn:aws:lambda:us-east-1:000000000000:function:page-1', TagKeys=['a'])
tags = client.list_tags(Resource='arn:aws:lambda:us-east-1:000000000000:function:page-1')['Tags']
got = client.get_function(FunctionName='page-1')['Tags']
try:
    urllib.request.urlopen(location.replace('Signature=', 'Signature=0'))
    forged = 200
except urllib.error.HTTPError as e:
    forged = e.code
context = failure(lambda: client.invoke(FunctionName='page-1', ClientContext='bm90IGpzb24='))
context = [context['code'], context['message']]
emit({'pages': pages, 'next': first.get('NextMarker'), 'names': names, 'tags': tags, 'got': got, 'forged': forged, 'context': context})
`,
    );
    const all = (out.pages as string[][]).flat();
    expect(all.filter((n) => n.startsWith('page-'))).toEqual(['page-1', 'page-2', 'page-3']);
    expect((out.pages as string[][]).every((p) => p.length <= 2)).toBe(true);
    expect(all.length).toBe(new Set(all).size);
    expect(out.next).toBe('2');
    expect(out.names).toEqual(['index.mjs', 'other.mjs']);
    expect([out.tags, out.got, out.forged]).toEqual([{ b: '2' }, { b: '2' }, 403]);
    // "not json", base64-encoded: Lambda refuses it before any instance sees it.
    expect(out.context).toEqual(['InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.']);
  });
});
