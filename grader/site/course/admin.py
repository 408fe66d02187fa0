from django.contrib import admin

from .models import Course, CourseExercise, Extension


class CourseExerciseInline(admin.TabularInline):
    model = CourseExercise
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    inlines = [CourseExerciseInline]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("student", "exercise", "deadline")
