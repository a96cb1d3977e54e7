"""Email through an outbox: written in the change's own transaction, sent later by `flask send-mail`."""
