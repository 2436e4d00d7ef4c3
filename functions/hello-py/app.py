# The smallest python function: answers with a greeting and echoes the event.
def handler(event, context):
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    return {"message": f"hello {name}", "runtime": "python", "event": event}
