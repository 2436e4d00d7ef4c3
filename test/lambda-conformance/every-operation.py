# Calls every operation of boto3's Lambda model once, against a function that exists (FUNCTION in
# the environment), and emits {"operations": [the model's names], "results": {operation: {"code":
# "ok" | error code, "status", "message"}}}.
# Run by every-operation.test.ts after support/boto3.ts's prelude (client, emit, ENV).
#
# Parameters are built from the model: each required member gets the least valid value of its
# shape, or a value named below. Operations run producers first (PublishVersion before CreateAlias
# points at the version it made), readers next, deleters after (dependents first), DeleteFunction
# last, so an implemented operation meets the resources it needs and has no reason to say "not found".
import base64
import datetime
import io
import zipfile

import botocore.exceptions

FUNCTION = ENV['FUNCTION']
model = client.meta.service_model


def code_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        z.writestr('index.mjs', base64.b64decode(ENV['FUNCTION_CODE_B64']))
    return buf.getvalue()


ARN = client.get_function_configuration(FunctionName=FUNCTION)['FunctionArn']
ZIP = code_zip()

# Values by member name, where the least valid value would name nothing that exists.
known = {
    'FunctionName': FUNCTION,
    'ARN': ARN,
    'Resource': ARN,
    'FunctionVersion': '$LATEST',
    'Name': 'live',
    'Qualifier': 'live',
    'StatementId': 'faasbench-statement',
    'Action': 'lambda:InvokeFunction',
    'Principal': 's3.amazonaws.com',
    'Role': 'arn:aws:iam::000000000000:role/faasbench',
    'ZipFile': ZIP,
    'Runtime': 'nodejs18.x',
    'Handler': 'index.handler',
    'LayerName': 'faasbench-layer',
    'VersionNumber': 1,
    # Room beside the provisioned instance PutProvisionedConcurrencyConfig asks for, so Invoke runs.
    'ReservedConcurrentExecutions': 10,
    'Tags': {'faasbench': 'conformance'},
    'TagKeys': ['faasbench'],
    'InvokeArgs': b'{}',
    'SigningProfileVersionArns': ['arn:aws:signer:us-east-1:000000000000:/signing-profiles/faasbench/abc'],
    'CodeSigningConfigArn': 'arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-00000000000000000',
    'UUID': '00000000-0000-0000-0000-000000000000',
    'Arn': 'arn:aws:lambda:us-east-1:000000000000:layer:faasbench-layer:1',
}

# Members beyond the required ones, where an operation needs one of a choice of members.
extra = {
    'UpdateFunctionCode': {'ZipFile': ZIP},
}

# What a successful producer's answer names, for the operations after it: member <- path in the answer.
learn = {
    'PublishVersion': {'FunctionVersion': ['Version']},
    'PublishLayerVersion': {'VersionNumber': ['Version'], 'Arn': ['LayerVersionArn']},
    'CreateEventSourceMapping': {'UUID': ['UUID']},
    'CreateCodeSigningConfig': {'CodeSigningConfigArn': ['CodeSigningConfig', 'CodeSigningConfigArn']},
}


def value(name, shape):
    if name in known:
        return known[name]
    kind = shape.type_name
    if kind == 'structure':
        return {m: value(m, shape.members[m]) for m in shape.required_members}
    if kind == 'list':
        return [value(name, shape.member)]
    if kind == 'map':
        return {}
    if kind == 'string':
        if shape.enum:
            return shape.enum[0]
        return 'x' * max(1, shape.metadata.get('min', 1))
    if kind in ('integer', 'long'):
        return max(1, shape.metadata.get('min', 1))
    if kind in ('float', 'double'):
        return 1.0
    if kind == 'boolean':
        return False
    if kind == 'blob':
        return b'{}'
    if kind == 'timestamp':
        return datetime.datetime.now(datetime.timezone.utc)
    raise ValueError(f'no value for {name} of type {kind}')


def phase(op):
    if op == 'DeleteFunction':
        return 4
    if op in learn:
        return 0
    if op.startswith(('Create', 'Put', 'Add', 'Publish', 'Tag')):
        return 1
    if op.startswith(('Delete', 'Remove', 'Untag')):
        return 3
    return 2


# boto3's method for each operation (get_function_configuration for GetFunctionConfiguration).
method_of = {api: method for method, api in client.meta.method_to_api_mapping.items()}


def dig(answer, path):
    for key in path:
        answer = answer[key]
    return answer


def order(ops):
    by_phase = sorted(ops, key=lambda o: (phase(o), o))
    # Deleters in reverse order of name, so what hangs on a resource goes before it: a function's
    # provisioned concurrency before its alias, its code-signing link before the config.
    deleters = sorted((o for o in by_phase if phase(o) == 3), reverse=True)
    return [o for o in by_phase if phase(o) < 3] + deleters + [o for o in by_phase if phase(o) == 4]


results = {}
for op in order(model.operation_names):
    shape = model.operation_model(op).input_shape
    params = {**(value(op, shape) if shape is not None else {}), **extra.get(op, {})}
    try:
        answer = getattr(client, method_of[op])(**params)
        if 'Payload' in answer:
            answer['Payload'].read()
        for member, path in learn.get(op, {}).items():
            known[member] = dig(answer, path)
        results[op] = {'code': 'ok', 'status': answer['ResponseMetadata']['HTTPStatusCode']}
    except botocore.exceptions.ClientError as err:
        results[op] = {'code': err.response['Error']['Code'], 'status': err.response['ResponseMetadata']['HTTPStatusCode'], 'message': err.response['Error']['Message']}
    except botocore.exceptions.BotoCoreError as err:
        results[op] = {'code': type(err).__name__, 'message': str(err)}

emit({'operations': list(model.operation_names), 'results': results})
