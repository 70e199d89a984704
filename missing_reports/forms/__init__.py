"""The missing-episode forms (crispy-forms, Bootstrap 5), one module per page group: runs, notifications,
returns, packets; `base` holds what they share. They check input shape; services/ check the rules.
Import the module you need."""
