"""Witnesses of the log's signed checkpoints (issue 20, part 3): every new checkpoint is emailed to the statutory
partners' leads and the scrutineers; the scrutineer's workspace keeps every checkpoint it has seen and proves each
new one consistent with the last one seen; a consultation's closing date gets a checkpoint of its own."""
