"""The forms (crispy-forms, Bootstrap 5), one module per page group: youth, placements, photos, staff;
`base` holds what every app's forms are built from. They check the shape of input; services/ check the
domain rules. Import the module you need."""
