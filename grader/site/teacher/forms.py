"""The teacher's forms: the course, its exercises, an assignment file, extensions, uploads."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grader.host.batch.gradesheet import MAX_OUT_OF
from grader.site.course.models import Course, CourseExercise, Extension

# A browser's own date-time picker; the value is read in the site's time zone (settings.TIME_ZONE).
WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class NewCourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title"]
        labels = {"title": _("Course title")}


class CourseSettingsForm(forms.ModelForm):
    counting = forms.ChoiceField(label=_("Which submission counts"), choices=[
        (Course.Counting.LAST, _("the last one before the deadline")),
        (Course.Counting.BEST, _("the best one"))])
    hidden_before_deadline = forms.ChoiceField(label=_("Hidden checks before the deadline: students see"), choices=[
        (Course.Hidden.ALL, _("everything")),
        (Course.Hidden.PASS_FAIL, _("whether each passed, not why")),
        (Course.Hidden.SCORE_ONLY, _("only the points they add up to"))])
    # Not required: a form that leaves it out keeps the course's value.
    hidden_details = forms.ChoiceField(label=_("A hidden check that did not pass: students see"), required=False,
                                       choices=[
        (Course.HiddenDetails.RESULT, _("its name and that it failed")),
        (Course.HiddenDetails.HINT, _("also its author's hint")),
        (Course.HiddenDetails.FULL, _("also why: its message, the stuck lines, the interleaving"))])

    class Meta:
        model = Course
        fields = ["title", "counting", "hidden_before_deadline", "hidden_details", "rate_burst", "rate_refill_minutes"]
        labels = {"title": _("Course title"), "rate_burst": _("Submissions in a row (per student and exercise)"),
                  "rate_refill_minutes": _("One more every (minutes; 0: no limit)")}


    def clean_hidden_details(self):
        return self.cleaned_data.get("hidden_details") or self.instance.hidden_details


class ExerciseRowForm(forms.Form):
    """One pack: whether the course uses it, and its points, times and late policy."""
    slug = forms.CharField(widget=forms.HiddenInput)
    use = forms.BooleanField(label=_("In the course"), required=False)
    position = forms.IntegerField(label=_("Order"), min_value=0)
    points = forms.FloatField(label=_("Points (empty: the pack's own)"), required=False, min_value=0.01)
    opens = forms.DateTimeField(label=_("Opens"), required=False, widget=WHEN, input_formats=WHEN_FORMATS)
    deadline = forms.DateTimeField(label=_("Deadline"), required=False, widget=WHEN, input_formats=WHEN_FORMATS)
    penalty_per_day = forms.FloatField(label=_("Late penalty per day (percent of the points)"), min_value=0,
                                       max_value=100)
    max_days_late = forms.IntegerField(label=_("Accepted up to (days late; empty: no limit)"), required=False,
                                       min_value=0)
    grace_minutes = forms.IntegerField(label=_("Grace (minutes)"), min_value=0)

    def clean(self):
        data = super().clean()
        if data.get("opens") and data.get("deadline") and data["opens"] >= data["deadline"]:
            self.add_error("deadline", _("The deadline must come after the opening."))
        return data


ExerciseFormSet = forms.formset_factory(ExerciseRowForm, extra=0)


class AssignmentUploadForm(forms.Form):
    file = forms.FileField(label=_("assignment.yaml"))


class ExtensionForm(forms.ModelForm):
    deadline = forms.DateTimeField(label=_("New deadline"), widget=WHEN, input_formats=WHEN_FORMATS)

    class Meta:
        model = Extension
        fields = ["exercise", "deadline"]
        labels = {"exercise": _("Exercise")}

    def __init__(self, *args, course: Course | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exercise"].queryset = CourseExercise.objects.filter(course=course)


class RegradeExerciseForm(forms.Form):
    exercise = forms.ModelChoiceField(label=_("Exercise"), queryset=CourseExercise.objects.none())

    def __init__(self, *args, course: Course | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exercise"].queryset = CourseExercise.objects.filter(course=course)


class RosterForm(forms.Form):
    file = forms.FileField(label=_("Roster (CSV exported from Moodle or Canvas)"))
    lang = forms.ChoiceField(label=_("Language of the new accounts"), required=False, choices=[
        ("", _("as the roster says, else English")), ("en", "English"), ("zh", "简体中文")])


class GradesheetForm(forms.Form):
    file = forms.FileField(label=_("Grade sheet (CSV downloaded from Moodle or Canvas)"))
    column = forms.CharField(label=_("Column to fill (Canvas: the assignment's name; Moodle: empty)"),
                             required=False, max_length=200)
    fill = forms.ChoiceField(label=_("Fill with"), required=False)
    out_of = forms.FloatField(label=_("Scale to (empty: the sheet's maximum, else the points)"), required=False,
                              min_value=0.01, max_value=MAX_OUT_OF)

    def __init__(self, *args, course: Course | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        exercises = CourseExercise.objects.filter(course=course) if course is not None else []
        self.fields["fill"].choices = [("", _("the course total")), *[
            (e.slug, _("the counted score of %(exercise)s") % {"exercise": e.slug}) for e in exercises]]
